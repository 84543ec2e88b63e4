package dev.trainyard.spark.scoring;

import dev.trainyard.spark.io.InputData;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A number for each value of a categorical feature that some part of scoring knows (the feature
 * pipeline's indexer labels, the training profile's categories), so that the scoring function looks
 * a row's category up once and each part reads its own small table by that number ({@link #table}).
 * Two hash lookups per category and row — each a murmur hash and a byte comparison of Spark's
 * {@link UTF8String} — took about a tenth of the scoring tasks' time.
 *
 * <p>Codes: {@link #MISSING} for null, {@link #UNKNOWN} for a value no part knows, 2 and up for the
 * known values.
 */
final class CategoryCodes implements Serializable {
  private static final long serialVersionUID = 1L;

  static final int MISSING = 0;
  static final int UNKNOWN = 1;

  private final List<Map<UTF8String, Integer>> codes = new ArrayList<>();

  /**
   * @param known per categorical feature, the values to number (repeats are numbered once)
   */
  CategoryCodes(List<List<String>> known) {
    for (List<String> values : known) {
      Map<UTF8String, Integer> numbered = new HashMap<>();
      for (String value : values) {
        numbered.putIfAbsent(UTF8String.fromString(value), numbered.size() + 2);
      }
      codes.add(numbered);
    }
  }

  /**
   * @param value the category's text ({@link InputData#categoryText}), null when missing
   */
  int code(int feature, UTF8String value) {
    if (value == null) {
      return MISSING;
    }
    Integer code = codes.get(feature).get(value);
    return code == null ? UNKNOWN : code;
  }

  /**
   * Per code of {@code feature}, the position of its value in {@code values}; {@code other} for
   * known values not in that list and for {@link #UNKNOWN}; {@code missing} for {@link #MISSING}.
   */
  int[] table(int feature, List<String> values, int missing, int other) {
    Map<UTF8String, Integer> numbered = codes.get(feature);
    int[] table = new int[numbered.size() + 2];
    Arrays.fill(table, other);
    table[MISSING] = missing;
    for (int i = 0; i < values.size(); i++) {
      Integer code = numbered.get(UTF8String.fromString(values.get(i)));
      if (code != null) {
        table[code] = i;
      }
    }
    return table;
  }
}
