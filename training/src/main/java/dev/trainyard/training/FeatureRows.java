package dev.trainyard.training;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetInputFormat;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads the {@code features} and {@code label} columns of one Parquet file, row by row, straight
 * into primitive arrays (no per-row objects). Only those two columns are decoded; others (keys) are
 * skipped. {@code features} may be written as a 3-level LIST (Spark's {@code array<float>}), a
 * 2-level LIST, or a bare repeated field; elements may be float or double.
 *
 * <p>Values come from {@link ColumnPages} (whole pages decoded into arrays), not from parquet-mr's
 * record assembly: that cost more CPU per row than the training step the row feeds, and the reader
 * shares the machine with the trainer.
 */
final class FeatureRows implements AutoCloseable {
  static final String FEATURES = "features";
  static final String LABEL = "label";

  private final String file;
  private final ParquetFileReader reader;
  private final MessageType projection;
  private final ColumnDescriptor featuresColumn;
  private final ColumnDescriptor labelColumn;

  /** Definition level from which the features list is present (not null). */
  private final int listLevel;

  /** Definition level from which a list entry exists (its element may still be null). */
  private final int entryLevel;

  private final int numFeatures;
  private final TrainingTask task;

  private ColumnPages features;
  private ColumnPages label;
  private long rowsLeftInGroup;
  private long rowNumber;

  private FeatureRows(String file, ParquetFileReader reader, TrainingTask task) {
    this.file = file;
    this.reader = reader;
    this.task = task;
    this.numFeatures = task.numFeatures();
    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
    checkColumns(file, schema);
    Type featuresType = schema.getType(FEATURES);
    Type labelField = schema.getType(LABEL);
    elementType(file, featuresType); // validates
    if (!labelField.isPrimitive()
        || labelField.isRepetition(Type.Repetition.REPEATED)
        || !isNumber(labelField.asPrimitiveType())) {
      throw new TrainingDataException(
          file + ": column 'label' is " + labelField + "; it must be a number (double)");
    }
    this.projection = new MessageType(schema.getName(), featuresType, labelField);
    reader.setRequestedSchema(projection);
    this.featuresColumn = projection.getColumnDescription(leafPath(featuresType));
    this.labelColumn = projection.getColumnDescription(new String[] {LABEL});
    // Walk the path: the list itself, then the repeated entry; the element's own level is max.
    String[] path = featuresColumn.getPath();
    int level = 0;
    int list = -1;
    int entry = -1;
    Type type = projection;
    for (int i = 0; i < path.length; i++) {
      type = type.asGroupType().getType(path[i]);
      if (!type.isRepetition(Type.Repetition.REQUIRED)) {
        level++;
      }
      if (i == 0) {
        list = type.isRepetition(Type.Repetition.REPEATED) ? 0 : level;
      }
      if (entry < 0 && type.isRepetition(Type.Repetition.REPEATED)) {
        entry = level;
      }
    }
    this.listLevel = list;
    this.entryLevel = entry;
  }

  /**
   * Hadoop's defaults, parsed once per JVM: parsing them (XML from jars) took milliseconds, and
   * parquet-mr did it again for every file it opened without options.
   */
  private static final Configuration DEFAULTS = loadDefaults();

  private static Configuration loadDefaults() {
    Configuration conf = new Configuration();
    conf.size(); // loads the default resources now, once
    return conf;
  }

  /**
   * Hadoop's local filesystem, configured so that no HADOOP_HOME or native library is needed, and
   * local files read with plain reads: vectored reads hand each range to a thread pool, which for a
   * local file costs more in hand-offs than it saves.
   */
  static Configuration hadoopConf() {
    Configuration conf = new Configuration(DEFAULTS);
    conf.set("fs.file.impl", LocalFileSystem.class.getName());
    conf.setBoolean(ParquetInputFormat.HADOOP_VECTORED_IO_ENABLED, false);
    return conf;
  }

  /** Read options for {@link #open}: build once per pass, not per file. */
  static ParquetReadOptions readOptions(Configuration conf) {
    return HadoopReadOptions.builder(conf).build();
  }

  static FeatureRows open(
      Path file, Configuration conf, ParquetReadOptions options, TrainingTask task) {
    String name = file.toUri().getPath();
    ParquetFileReader reader = null;
    try {
      reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf), options);
      return new FeatureRows(name, reader, task);
    } catch (TrainingDataException e) {
      closeQuietly(reader);
      throw e;
    } catch (IOException | RuntimeException e) {
      closeQuietly(reader);
      throw new TrainingDataException(
          name + ": cannot read as Parquet (" + e.getMessage() + "); is it a Parquet part file?",
          e);
    }
  }

  /**
   * Reads the next row into {@code out[offset ..]} and {@code labels[labelIndex]}.
   *
   * @return false at the end of the file
   * @throws TrainingDataException when the row breaks the feature data contract
   */
  boolean next(float[] out, int offset, double[] labels, int labelIndex) {
    int length = 0;
    boolean present = true;
    boolean nullElement = false;
    boolean hasLabel;
    int badIndex = -1;
    float badValue = 0;
    long row = rowNumber + 1;
    try {
      if (rowsLeftInGroup == 0 && !nextRowGroup()) {
        return false;
      }
      rowNumber++;
      rowsLeftInGroup--;
      if (!features.hasNext() || !label.hasNext()) {
        throw new IOException("the row group ends before its last row");
      }
      // One row's list: entries until the next one that starts a new record (repetition 0).
      do {
        if (features.isDefined()) {
          float value = (float) features.value();
          if (length < numFeatures) {
            out[offset + length] = value;
          }
          if (badIndex < 0 && !Float.isFinite(value)) {
            badIndex = length;
            badValue = value;
          }
          length++;
        } else {
          int definition = features.definitionLevel();
          if (definition >= entryLevel) {
            nullElement = true;
            length++;
          } else if (definition < listLevel) {
            present = false;
          }
        }
        features.consume();
      } while (features.hasNext() && features.repetitionLevel() > 0);
      hasLabel = label.isDefined();
      if (hasLabel) {
        labels[labelIndex] = label.value();
      }
      label.consume();
    } catch (IOException | RuntimeException e) {
      throw new TrainingDataException(
          file + ": failed reading row " + row + ": " + e.getMessage(), e);
    }
    if (!present) {
      throw rowError("column 'features' is null; every row needs a features array");
    }
    if (nullElement) {
      throw rowError("column 'features' holds a null element; impute missing values upstream");
    }
    if (length != numFeatures) {
      throw rowError(
          "column 'features' has "
              + length
              + " values, expected "
              + numFeatures
              + "; every row must have the task's numFeatures values (check the feature job's"
              + " output against the training task)");
    }
    if (!hasLabel) {
      throw rowError("column 'label' is null; drop unlabelled rows before training");
    }
    String labelProblem = task.labelProblem(labels[labelIndex]);
    if (labelProblem != null) {
      throw rowError("column 'label': " + labelProblem);
    }
    if (badIndex >= 0) {
      throw rowError(
          "column 'features' value "
              + badIndex
              + " is "
              + badValue
              + "; features must be finite (impute or drop such rows upstream)");
    }
    return true;
  }

  private boolean nextRowGroup() throws IOException {
    PageReadStore pages;
    do {
      pages = reader.readNextRowGroup();
      if (pages == null) {
        return false;
      }
    } while (pages.getRowCount() == 0);
    features = new ColumnPages(pages.getPageReader(featuresColumn), featuresColumn);
    label = new ColumnPages(pages.getPageReader(labelColumn), labelColumn);
    rowsLeftInGroup = pages.getRowCount();
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

  private static void closeQuietly(ParquetFileReader reader) {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException | RuntimeException ignored) {
        // already failing with the more useful error
      }
    }
  }

  private static void checkColumns(String file, MessageType schema) {
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
  }

  /** The path from {@code features} down to its leaf (list element). */
  private static String[] leafPath(Type features) {
    List<String> path = new ArrayList<>();
    Type type = features;
    path.add(type.getName());
    while (!type.isPrimitive()) {
      type = type.asGroupType().getType(0);
      path.add(type.getName());
    }
    return path.toArray(String[]::new);
  }

  /** The element type of the features list; throws when the column is not a list of numbers. */
  private static PrimitiveType elementType(String file, Type features) {
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
