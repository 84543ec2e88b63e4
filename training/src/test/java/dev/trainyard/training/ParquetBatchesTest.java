package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetBatchesTest {
  private static final TrainingTask TASK = TrainingTask.binary(4);

  @TempDir Path tmp;

  /** Every row, as "label:f0,f1,..." strings, in the order the batches return them. */
  private static List<String> rows(ParquetBatches batches) {
    List<String> rows = new ArrayList<>();
    for (FeatureBatch b = batches.next(); b != null; b = batches.next()) {
      for (int i = 0; i < b.rows(); i++) {
        float[] x =
            Arrays.copyOfRange(b.features(), i * b.numFeatures(), (i + 1) * b.numFeatures());
        rows.add(b.labels()[i] + ":" + Arrays.toString(x));
      }
    }
    return rows;
  }

  @Test
  void readsSparkThreeLevelListsInBatchesSkippingMarkersAndKeys() throws IOException {
    Path dir = FeatureData.of(TASK).rows(103).files(3).writeTo(tmp.resolve("data"));
    assertTrue(Files.exists(dir.resolve("_SUCCESS")));
    try (var stream = Files.list(dir)) {
      assertTrue(stream.anyMatch(p -> p.getFileName().toString().startsWith(".")), "crc files");
    }
    assertEquals(3, ParquetBatches.dataFiles(dir).size());

    List<Integer> sizes = new ArrayList<>();
    try (ParquetBatches batches = ParquetBatches.inOrder(dir, TASK, 25)) {
      for (FeatureBatch b = batches.next(); b != null; b = batches.next()) {
        sizes.add(b.rows());
        assertEquals(b.rows() * 4, b.features().length);
      }
      assertEquals(103, batches.rowsRead());
    }
    assertEquals(List.of(25, 25, 25, 25, 3), sizes);
  }

  @Test
  void twoLevelListsReadTheSameValues() {
    Path three = FeatureData.of(TASK).rows(50).files(1).writeTo(tmp.resolve("three"));
    Path two = FeatureData.of(TASK).rows(50).files(1).twoLevel().writeTo(tmp.resolve("two"));
    try (ParquetBatches a = ParquetBatches.inOrder(three, TASK, 16);
        ParquetBatches b = ParquetBatches.inOrder(two, TASK, 16)) {
      assertEquals(rows(a), rows(b));
    }
  }

  /**
   * The reader decodes pages itself, so every layout a writer may choose must read back exactly: V1
   * and V2 data pages, dictionary and plain values, several pages and row groups per file, the
   * codecs, float or double elements, 3-level, 2-level and bare repeated lists, labels of every
   * numeric type.
   */
  @Test
  void everyPageLayoutReadsBackExactly() throws IOException {
    int numFeatures = 6;
    int rows = 700;
    float[][] x = new float[rows][numFeatures];
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < numFeatures; j++) {
        // Column 0 has few distinct values (dictionary pages); the others are all distinct.
        x[i][j] = j == 0 ? random.nextInt(4) * 0.5f : (float) random.nextGaussian();
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      expected.add((double) (i % 2) + ":" + Arrays.toString(x[i]));
    }
    String[] lists = {
      "optional group features (LIST) { repeated group list { optional %s element; } }",
      "required group features (LIST) { repeated %s array; }",
      "repeated %s features;"
    };
    TrainingTask task = TrainingTask.binary(numFeatures);
    int layouts = 0;
    for (String list : lists) {
      for (String element : List.of("float", "double")) {
        for (String label :
            List.of("optional double", "required float", "optional int32", "required int64")) {
          for (var version : org.apache.parquet.column.ParquetProperties.WriterVersion.values()) {
            for (boolean dictionary : new boolean[] {true, false}) {
              for (var codec :
                  List.of(
                      org.apache.parquet.hadoop.metadata.CompressionCodecName.UNCOMPRESSED,
                      org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY,
                      org.apache.parquet.hadoop.metadata.CompressionCodecName.GZIP)) {
                String schemaText =
                    "message m { optional binary id (STRING); "
                        + String.format(list, element)
                        + " "
                        + label
                        + " label; }";
                MessageType schema = MessageTypeParser.parseMessageType(schemaText);
                Path dir = Files.createDirectories(tmp.resolve("layout-" + layouts++));
                try (ParquetWriter<Group> w =
                    org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
                            new org.apache.hadoop.fs.Path(
                                dir.resolve(FeatureData.partName(0)).toUri()))
                        .withType(schema)
                        .withConf(new org.apache.hadoop.conf.Configuration())
                        .withWriterVersion(version)
                        .withDictionaryEncoding(dictionary)
                        .withCompressionCodec(codec)
                        .withPageSize(512) // many pages
                        .withPageRowCountLimit(50)
                        .withRowGroupSize(8 * 1024L) // several row groups
                        .build()) {
                  SimpleGroupFactory groups = new SimpleGroupFactory(schema);
                  for (int i = 0; i < rows; i++) {
                    Group g = groups.newGroup().append("id", "row-" + i);
                    Group features = list.startsWith("repeated") ? g : g.addGroup("features");
                    for (float v : x[i]) {
                      String field = list.startsWith("repeated") ? "features" : "element";
                      Group holder =
                          list.startsWith("optional") ? features.addGroup("list") : features;
                      if (list.startsWith("required")) {
                        field = "array";
                      }
                      if (element.equals("float")) {
                        holder.append(field, v);
                      } else {
                        holder.append(field, (double) v);
                      }
                    }
                    switch (label.split(" ")[1]) {
                      case "double" -> g.append("label", (double) (i % 2));
                      case "float" -> g.append("label", (float) (i % 2));
                      case "int32" -> g.append("label", i % 2);
                      default -> g.append("label", (long) (i % 2));
                    }
                    w.write(g);
                  }
                }
                String layout =
                    schemaText + " " + version + " dictionary=" + dictionary + " " + codec;
                List<String> actual;
                try (ParquetBatches b = ParquetBatches.inOrder(dir, task, 64)) {
                  actual = rows(b);
                }
                assertEquals(rows, actual.size(), layout);
                for (int i = 0; i < rows; i++) {
                  assertEquals(expected.get(i), actual.get(i), layout + ", row " + i);
                }
              }
            }
          }
        }
      }
    }
    assertEquals(3 * 2 * 4 * 2 * 2 * 3, layouts);
  }

  @Test
  void shuffleIsAPermutationFixedBySeedAndEpoch() {
    Path dir = FeatureData.of(TASK).rows(500).files(3).writeTo(tmp.resolve("data"));
    List<String> inOrder;
    try (ParquetBatches b = ParquetBatches.inOrder(dir, TASK, 64)) {
      inOrder = rows(b);
    }
    List<String> epoch1;
    List<String> epoch1Again;
    List<String> epoch2;
    try (ParquetBatches a = ParquetBatches.shuffled(dir, TASK, 64, 42, 1, 100);
        ParquetBatches b = ParquetBatches.shuffled(dir, TASK, 64, 42, 1, 100);
        ParquetBatches c = ParquetBatches.shuffled(dir, TASK, 64, 42, 2, 100)) {
      epoch1 = rows(a);
      epoch1Again = rows(b);
      epoch2 = rows(c);
    }
    assertEquals(epoch1, epoch1Again);
    assertNotEquals(epoch1, epoch2);
    assertNotEquals(inOrder, epoch1);
    List<String> sorted = new ArrayList<>(inOrder);
    sorted.sort(null);
    for (List<String> shuffled : List.of(epoch1, epoch2)) {
      List<String> s = new ArrayList<>(shuffled);
      s.sort(null);
      assertEquals(sorted, s, "every row exactly once");
    }
  }

  @Test
  void aGrowingShuffleBufferStillVisitsEveryRowOnce() {
    // 6,000 rows with a 5,000-row buffer: drawing starts at SHUFFLE_START_ROWS and the buffer
    // grows while batches flow, then drains.
    Path dir = FeatureData.of(TASK).rows(6_000).files(2).writeTo(tmp.resolve("data"));
    List<String> inOrder;
    List<String> shuffled;
    try (ParquetBatches a = ParquetBatches.inOrder(dir, TASK, 100);
        ParquetBatches b = ParquetBatches.shuffled(dir, TASK, 100, 7, 1, 5_000)) {
      inOrder = rows(a);
      shuffled = rows(b);
    }
    assertEquals(6_000, shuffled.size());
    assertNotEquals(inOrder, shuffled);
    List<String> sortedIn = new ArrayList<>(inOrder);
    List<String> sortedShuffled = new ArrayList<>(shuffled);
    sortedIn.sort(null);
    sortedShuffled.sort(null);
    assertEquals(sortedIn, sortedShuffled, "every row exactly once");
  }

  @Test
  void shuffledOrderFromRowCountsIsExactlyTheStreamedPassRowForRow() {
    // The device-resident path gathers batches by this order: it must be the streamed pass's,
    // batch for batch, or a run would change with the size of the training device's memory.
    Path dir = FeatureData.of(TASK).rows(6_003).files(4).writeTo(tmp.resolve("data"));
    List<org.apache.hadoop.fs.Path> files = ParquetBatches.dataFiles(dir);
    long[] rowsPerFile = new long[files.size()];
    List<String> inOrder = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      try (ParquetBatches b = ParquetBatches.inOrder(List.of(files.get(f)), TASK, 500)) {
        List<String> rows = rows(b);
        rowsPerFile[f] = rows.size();
        inOrder.addAll(rows);
      }
    }
    assertEquals(6_003, inOrder.size());
    int[][] batchAndBuffer = {{64, 100}, {100, 5_000}, {7, 1}, {4096, 65_536}};
    for (int[] c : batchAndBuffer) {
      for (int epoch = 1; epoch <= 2; epoch++) {
        List<String> streamed;
        try (ParquetBatches b = ParquetBatches.shuffled(dir, TASK, c[0], 42, epoch, c[1])) {
          streamed = rows(b);
        }
        int[] order = ParquetBatches.shuffledOrder(rowsPerFile, c[0], 42, epoch, c[1]);
        List<String> gathered = new ArrayList<>();
        for (int i : order) {
          gathered.add(inOrder.get(i));
        }
        assertEquals(streamed, gathered, "batch " + c[0] + ", buffer " + c[1] + ", epoch " + epoch);
      }
    }
  }

  @Test
  void shuffleBufferIsBounded() {
    long heapBytes = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);
    assertEquals(
        Math.min(65_536, heapBytes / (4 * 1024)),
        ParquetBatches.shuffleBufferRows(TrainingTask.binary(1024), 256));
    assertEquals(4096, ParquetBatches.shuffleBufferRows(TrainingTask.binary(1 << 20), 4096));
    assertTrue(ParquetBatches.shuffleBufferRows(TrainingTask.binary(10), 256) <= 65_536);
  }

  @Test
  void missingOrEmptyDirectoryNamesTheDirectory() throws IOException {
    TrainingDataException missing =
        assertThrows(
            TrainingDataException.class, () -> ParquetBatches.dataFiles(tmp.resolve("nope")));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("_SUCCESS"), "");
    TrainingDataException e =
        assertThrows(TrainingDataException.class, () -> ParquetBatches.dataFiles(empty));
    assertTrue(e.getMessage().contains("no Parquet part files"), e.getMessage());
  }

  @Test
  void missingColumnsAreNamed() throws IOException {
    Path noLabel =
        write(
            "no-label",
            "message m { required group features (LIST) { repeated group list {"
                + " required float element; } } }",
            g -> g.addGroup("features").addGroup("list").append("element", 1f));
    assertMessage(noLabel, TASK, "no 'label' column", "part-00000");

    Path noFeatures =
        write(
            "no-features",
            "message m { required double label; required binary id (STRING); }",
            g -> g.append("label", 1.0).append("id", "x"));
    assertMessage(noFeatures, TASK, "no 'features' column (columns: label, id)");

    Path strings =
        write(
            "strings",
            "message m { required binary features (STRING); required double label; }",
            g -> g.append("features", "1,2").append("label", 1.0));
    assertMessage(strings, TASK, "must be a list of floats");
  }

  @Test
  void badRowsAreNamedByFileRowAndColumn() throws IOException {
    Path ragged =
        FeatureData.of(TrainingTask.binary(3)).rows(10).files(1).writeTo(tmp.resolve("r"));
    assertMessage(ragged, TASK, "row 1: column 'features' has 3 values, expected 4");

    String schema =
        "message m { required group features (LIST) { repeated group list {"
            + " optional float element; } } optional double label; }";
    Path nan = write("nan", schema, g -> row(g, 1, 2, 3, 4).append("label", Double.NaN));
    assertMessage(nan, TASK, "column 'label': label is NaN");
    Path inf = write("inf", schema, g -> row(g, 1, 2, 3, 4).append("label", 1 / 0.0));
    assertMessage(inf, TrainingTask.regression(4), "label is Infinity");
    Path classIndex = write("class", schema, g -> row(g, 1, 2, 3, 4).append("label", 2.0));
    assertMessage(classIndex, TASK, "label 2.0 is not a class index 0..1");
    Path nullLabel = write("null-label", schema, g -> row(g, 1, 2, 3, 4));
    assertMessage(nullLabel, TASK, "column 'label' is null");
    Path nanFeature =
        write("nan-feature", schema, g -> row(g, 1, Float.NaN, 3, 4).append("label", 1.0));
    assertMessage(nanFeature, TASK, "value 1 is NaN");
    Path nullElement =
        write(
            "null-element",
            schema,
            g -> {
              Group f = g.addGroup("features");
              f.addGroup("list").append("element", 1f);
              f.addGroup("list"); // null element
              g.append("label", 1.0);
            });
    assertMessage(nullElement, TrainingTask.binary(2), "null element");
  }

  private static Group row(Group g, float... values) {
    Group f = g.addGroup("features");
    for (float v : values) {
      f.addGroup("list").append("element", v);
    }
    return g;
  }

  private void assertMessage(Path dir, TrainingTask task, String... fragments) {
    TrainingDataException e =
        assertThrows(
            TrainingDataException.class,
            () -> {
              try (ParquetBatches b = ParquetBatches.inOrder(dir, task, 8)) {
                while (b.next() != null) {}
              }
            });
    assertTrue(
        e.getMessage().contains(dir.resolve(FeatureData.partName(0)).toString())
            || e.getMessage().contains(dir.toString()),
        e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
  }

  private Path write(String name, String schemaText, java.util.function.Consumer<Group> fill)
      throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(schemaText);
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (ParquetWriter<Group> w =
        FeatureData.writer(dir.resolve(FeatureData.partName(0)), schema)) {
      Group g = new SimpleGroupFactory(schema).newGroup();
      fill.accept(g);
      w.write(g);
    }
    return dir;
  }
}
