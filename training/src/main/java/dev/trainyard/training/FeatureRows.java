package dev.trainyard.training;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads the {@code features} and {@code label} columns of one Parquet file, row by row, straight
 * into primitive arrays (no per-row objects). Only those two columns are decoded; others (keys) are
 * skipped. {@code features} may be written as a 3-level LIST (Spark's {@code array<float>}), a
 * 2-level LIST, or a bare repeated field; elements may be float or double.
 */
final class FeatureRows implements AutoCloseable {
  static final String FEATURES = "features";
  static final String LABEL = "label";

  private final String file;
  private final ParquetReader<Row> reader;
  private final int numFeatures;
  private final TrainingTask task;
  private long rowNumber;

  private FeatureRows(String file, ParquetReader<Row> reader, TrainingTask task) {
    this.file = file;
    this.reader = reader;
    this.task = task;
    this.numFeatures = task.numFeatures();
  }

  /** Hadoop's local filesystem, configured so that no HADOOP_HOME or native library is needed. */
  static Configuration hadoopConf() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", LocalFileSystem.class.getName());
    return conf;
  }

  static FeatureRows open(Path file, Configuration conf, TrainingTask task) {
    String name = file.toUri().getPath();
    try {
      ParquetReader<Row> reader =
          new ParquetReader.Builder<Row>(HadoopInputFile.fromPath(file, conf)) {
            @Override
            protected ReadSupport<Row> getReadSupport() {
              return new RowReadSupport(name);
            }
          }.withConf(conf).build();
      return new FeatureRows(name, reader, task);
    } catch (TrainingDataException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new TrainingDataException(
          name + ": cannot read as Parquet (" + e.getMessage() + "); is it a Parquet part file?",
          e);
    }
  }

  /**
   * Reads the next row into {@code features[offset ..]} and {@code labels[labelIndex]}.
   *
   * @return false at the end of the file
   * @throws TrainingDataException when the row breaks the feature data contract
   */
  boolean next(float[] features, int offset, double[] labels, int labelIndex) {
    Row row;
    try {
      row = reader.read();
    } catch (TrainingDataException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new TrainingDataException(
          file + ": failed reading row " + (rowNumber + 1) + ": " + e.getMessage(), e);
    }
    if (row == null) {
      return false;
    }
    rowNumber++;
    if (!row.hasFeatures) {
      throw rowError("column 'features' is null; every row needs a features array");
    }
    if (row.nullElement) {
      throw rowError("column 'features' holds a null element; impute missing values upstream");
    }
    if (row.length != numFeatures) {
      throw rowError(
          "column 'features' has "
              + row.length
              + " values, expected "
              + numFeatures
              + "; every row must have the task's numFeatures values (check the feature job's"
              + " output against the training task)");
    }
    if (!row.hasLabel) {
      throw rowError("column 'label' is null; drop unlabelled rows before training");
    }
    String labelProblem = task.labelProblem(row.label);
    if (labelProblem != null) {
      throw rowError("column 'label': " + labelProblem);
    }
    for (int i = 0; i < numFeatures; i++) {
      if (!Float.isFinite(row.values[i])) {
        throw rowError(
            "column 'features' value "
                + i
                + " is "
                + row.values[i]
                + "; features must be finite (impute or drop such rows upstream)");
      }
    }
    System.arraycopy(row.values, 0, features, offset, numFeatures);
    labels[labelIndex] = row.label;
    return true;
  }

  private TrainingDataException rowError(String what) {
    return new TrainingDataException(file + ": row " + rowNumber + ": " + what);
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new TrainingDataException(file + ": failed to close: " + e.getMessage(), e);
    }
  }

  /** The row being assembled; reused for every record of a file. */
  static final class Row {
    float[] values = new float[16];
    int length;
    double label;
    boolean hasLabel;
    boolean hasFeatures;
    boolean nullElement;

    void append(float value) {
      if (length == values.length) {
        values = java.util.Arrays.copyOf(values, values.length * 2);
      }
      values[length++] = value;
    }
  }

  /** Checks the file schema, projects the two columns and materializes them into a {@link Row}. */
  private static final class RowReadSupport extends ReadSupport<Row> {
    private final String file;

    RowReadSupport(String file) {
      this.file = file;
    }

    @Override
    public ReadContext init(InitContext context) {
      MessageType schema = context.getFileSchema();
      if (!schema.containsField(FEATURES) || !schema.containsField(LABEL)) {
        List<String> columns = new ArrayList<>();
        schema.getFields().forEach(f -> columns.add(f.getName()));
        throw new TrainingDataException(
            file
                + ": no '"
                + (schema.containsField(FEATURES) ? LABEL : FEATURES)
                + "' column (columns: "
                + String.join(", ", columns)
                + "); feature data needs 'features' (array<float>) and 'label' (double)");
      }
      Type features = schema.getType(FEATURES);
      Type label = schema.getType(LABEL);
      elementType(features); // validates
      if (!label.isPrimitive()
          || label.isRepetition(Type.Repetition.REPEATED)
          || !isNumber(label.asPrimitiveType())) {
        throw new TrainingDataException(
            file + ": column 'label' is " + label + "; it must be a number (double)");
      }
      return new ReadContext(new MessageType(schema.getName(), features, label));
    }

    @Override
    public RecordMaterializer<Row> prepareForRead(
        Configuration configuration,
        Map<String, String> keyValueMetaData,
        MessageType fileSchema,
        ReadContext readContext) {
      MessageType schema = readContext.getRequestedSchema();
      Row row = new Row();
      Converter features = featuresConverter(schema.getType(FEATURES), row);
      Converter label = new LabelConverter(row);
      int featuresIndex = schema.getFieldIndex(FEATURES);
      GroupConverter root =
          new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
              return fieldIndex == featuresIndex ? features : label;
            }

            @Override
            public void start() {
              row.length = 0;
              row.hasLabel = false;
              row.hasFeatures = false;
              row.nullElement = false;
            }

            @Override
            public void end() {}
          };
      return new RecordMaterializer<>() {
        @Override
        public Row getCurrentRecord() {
          return row;
        }

        @Override
        public GroupConverter getRootConverter() {
          return root;
        }
      };
    }

    /** The element type of the features list; throws when the column is not a list of numbers. */
    private PrimitiveType elementType(Type features) {
      Type element = null;
      if (features.isPrimitive() && features.isRepetition(Type.Repetition.REPEATED)) {
        element = features; // bare repeated field
      } else if (!features.isPrimitive()
          && !features.isRepetition(Type.Repetition.REPEATED)
          && features.asGroupType().getFieldCount() == 1) {
        Type repeated = features.asGroupType().getType(0);
        if (repeated.isRepetition(Type.Repetition.REPEATED)) {
          if (repeated.isPrimitive()) {
            element = repeated; // 2-level list
          } else if (repeated.asGroupType().getFieldCount() == 1) {
            Type inner = repeated.asGroupType().getType(0);
            element = inner.isRepetition(Type.Repetition.REPEATED) ? null : inner; // 3-level list
          }
        }
      }
      if (element == null || !element.isPrimitive() || !isFloating(element.asPrimitiveType())) {
        throw new TrainingDataException(
            file
                + ": column 'features' is "
                + features.toString().replaceAll("\\s+", " ").trim()
                + "; it must be a list of floats (Spark array<float>)");
      }
      return element.asPrimitiveType();
    }

    private static Converter featuresConverter(Type features, Row row) {
      PrimitiveConverter element =
          new PrimitiveConverter() {
            @Override
            public void addFloat(float value) {
              row.hasFeatures = true;
              row.append(value);
            }

            @Override
            public void addDouble(double value) {
              row.hasFeatures = true;
              row.append((float) value);
            }
          };
      if (features.isPrimitive()) {
        return element;
      }
      Type repeated = features.asGroupType().getType(0);
      Converter entry =
          repeated.isPrimitive()
              ? element
              : new GroupConverter() {
                private int before;

                @Override
                public Converter getConverter(int fieldIndex) {
                  return element;
                }

                @Override
                public void start() {
                  before = row.length;
                }

                @Override
                public void end() {
                  if (row.length == before) {
                    row.nullElement = true;
                  }
                }
              };
      return new GroupConverter() {
        @Override
        public Converter getConverter(int fieldIndex) {
          return entry;
        }

        @Override
        public void start() {
          row.hasFeatures = true; // present, possibly empty
        }

        @Override
        public void end() {}
      };
    }

    private static boolean isFloating(PrimitiveType type) {
      return type.getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
          || type.getPrimitiveTypeName() == PrimitiveTypeName.DOUBLE;
    }

    private static boolean isNumber(PrimitiveType type) {
      return switch (type.getPrimitiveTypeName()) {
        case FLOAT, DOUBLE, INT32, INT64 -> true;
        default -> false;
      };
    }
  }

  /** Accepts a label written as double (the contract), float, int or long. */
  private static final class LabelConverter extends PrimitiveConverter {
    private final Row row;

    LabelConverter(Row row) {
      this.row = row;
    }

    @Override
    public void addDouble(double value) {
      row.label = value;
      row.hasLabel = true;
    }

    @Override
    public void addFloat(float value) {
      addDouble(value);
    }

    @Override
    public void addInt(int value) {
      addDouble(value);
    }

    @Override
    public void addLong(long value) {
      addDouble(value);
    }
  }
}
