package dev.trainyard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Binary-classification feature data in the training module's contract, shaped like the Spark
 * feature job's output: snappy Parquet part files with a string key, {@code features} as a 3-level
 * LIST of floats ({@code array<float>}) and a double {@code label}, plus {@code _SUCCESS}. Labels
 * follow a fixed random linear rule plus noise, so the model has something to learn.
 */
public final class SyntheticFeatures {
  static final MessageType SPARK_SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message spark_schema {
            optional binary id (STRING);
            optional group features (LIST) {
              repeated group list {
                optional float element;
              }
            }
            optional double label;
          }
          """);

  private SyntheticFeatures() {}

  /** Writes {@code rows} rows into {@code files} part files in {@code dir} (replacing nothing). */
  public static void write(Path dir, int rows, int numFeatures, int files, long seed) {
    Random rule = new Random(12345);
    double[] weights = new double[numFeatures];
    for (int j = 0; j < numFeatures; j++) {
      weights[j] = rule.nextGaussian();
    }
    Random random = new Random(seed);
    try {
      Files.createDirectories(dir);
      int row = 0;
      for (int f = 0; f < files; f++) {
        int inFile = rows / files + (f < rows % files ? 1 : 0);
        Path file = dir.resolve(String.format("part-%05d-c000.snappy.parquet", f));
        try (ParquetWriter<Group> writer =
            ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withType(SPARK_SCHEMA)
                .withConf(new Configuration())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build()) {
          SimpleGroupFactory groups = new SimpleGroupFactory(SPARK_SCHEMA);
          for (int i = 0; i < inFile; i++, row++) {
            Group group = groups.newGroup();
            group.append("id", "row-" + row);
            Group features = group.addGroup("features");
            double score = 0;
            for (int j = 0; j < numFeatures; j++) {
              float v = (float) random.nextGaussian();
              score += weights[j] * v;
              features.addGroup("list").append("element", v);
            }
            score += 0.3 * random.nextGaussian();
            group.append("label", score > 0 ? 1.0 : 0.0);
            writer.write(group);
          }
        }
      }
      Files.writeString(dir.resolve("_SUCCESS"), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
