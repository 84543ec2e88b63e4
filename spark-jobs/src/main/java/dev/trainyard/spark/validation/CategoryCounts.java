package dev.trainyard.spark.validation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.validation.DataProfile.CategoricalProfile;
import dev.trainyard.spark.validation.ValidationReport.CategoryCount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;

/** What validation's second pass found for one categorical column. */
final class CategoryCounts {
  /** How many disallowed values a violation names as examples. */
  static final int EXAMPLES = 5;

  long distinct;
  long disallowedDistinct;
  final List<CategoryCount> ranked = new ArrayList<>();
  final List<CategoryCount> disallowed = new ArrayList<>();
  final Map<String, Long> all = new LinkedHashMap<>();

  List<CategoryCount> top(int n) {
    return List.copyOf(ranked.subList(0, Math.min(n, ranked.size())));
  }

  CategoricalProfile profile(long present) {
    Map<String, Double> frequencies = new LinkedHashMap<>();
    double covered = 0;
    for (CategoryCount c : ranked) {
      double share = present == 0 ? 0 : (double) c.count() / present;
      frequencies.put(c.value(), share);
      covered += share;
    }
    return new CategoricalProfile(present, frequencies, Math.max(0, 1 - covered));
  }

  /**
   * PSI over the reference's categories plus one bucket for everything else. Every reference
   * category was kept by pass 2, so its count here is exact.
   */
  Double psiAgainst(CategoricalProfile reference, long present) {
    return PopulationStability.categoricalPsi(reference, all, present);
  }

  /**
   * Pass 2: category counts of every column in {@code columns} at once, in one grouped count. Keeps
   * per column the {@link DataProfile#MAX_CATEGORIES} most frequent values, every value the
   * champion profiles, and the first {@link #EXAMPLES} values an allowed-categories rule forbids.
   */
  static Map<String, CategoryCounts> of(
      Dataset<Row> data,
      StructType schema,
      DatasetInput input,
      Set<String> columns,
      ValidationRules rules,
      DataProfile champion) {
    Map<String, CategoryCounts> result = new LinkedHashMap<>();
    for (String column : columns) {
      result.put(column, new CategoryCounts());
    }
    if (columns.isEmpty()) {
      return result;
    }
    List<Column> pairs = new ArrayList<>();
    for (String column : columns) {
      Column v = col(InputData.quoted(column));
      if (InputData.isFloating(schema.apply(column).dataType())) {
        v = when(isnan(v.cast("double")), lit(null)).otherwise(v);
      }
      pairs.add(struct(lit(column).as("column"), v.cast("string").as("value")));
    }
    Column name = col("column");
    Column value = col("value");
    Column isDisallowed = lit(false);
    for (var rule : rules.allowedCategories().entrySet()) {
      isDisallowed =
          when(name.equalTo(rule.getKey()), not(value.isin(rule.getValue().toArray())))
              .otherwise(isDisallowed);
    }
    Column isChampionCategory = lit(false);
    if (champion != null) {
      for (var reference : champion.categorical().entrySet()) {
        if (columns.contains(reference.getKey())) {
          isChampionCategory =
              when(
                      name.equalTo(reference.getKey()),
                      value.isin(reference.getValue().frequencies().keySet().toArray()))
                  .otherwise(isChampionCategory);
        }
      }
    }
    var byCount = Window.partitionBy("column").orderBy(col("count").desc(), value.asc());
    // Disallowed values first, so their row number is their rank among disallowed values.
    // Every window partitions by column alone: one shuffle serves all three.
    var byCountAndRule =
        Window.partitionBy("column")
            .orderBy(col("disallowed").desc(), col("count").desc(), value.asc());
    var perColumn = Window.partitionBy("column");
    Dataset<Row> counts =
        data.select(explode(array(pairs.toArray(Column[]::new))).as("pair"))
            .select(col("pair.column").as("column"), col("pair.value").as("value"))
            .where(value.isNotNull())
            .groupBy("column", "value")
            .count()
            .withColumn("disallowed", isDisallowed)
            .withColumn("champion", isChampionCategory)
            .withColumn("rank", row_number().over(byCount))
            .withColumn("ruleRank", row_number().over(byCountAndRule))
            .withColumn("distinct", count(lit(1)).over(perColumn))
            .withColumn(
                "disallowedDistinct", sum(when(col("disallowed"), 1).otherwise(0)).over(perColumn))
            .where(
                col("rank")
                    .leq(DataProfile.MAX_CATEGORIES)
                    .or(col("champion"))
                    .or(col("disallowed").and(col("ruleRank").leq(EXAMPLES))));
    List<Row> collected = new ArrayList<>(InputData.action(input, counts::collectAsList));
    collected.sort(
        java.util.Comparator.comparingInt((Row row) -> row.getInt(row.fieldIndex("rank"))));
    for (Row row : collected) {
      CategoryCounts target = result.get(row.getString(row.fieldIndex("column")));
      CategoryCount entry =
          new CategoryCount(
              row.getString(row.fieldIndex("value")), row.getLong(row.fieldIndex("count")));
      target.distinct = row.getLong(row.fieldIndex("distinct"));
      target.disallowedDistinct = row.getLong(row.fieldIndex("disallowedDistinct"));
      if (row.getInt(row.fieldIndex("rank")) <= DataProfile.MAX_CATEGORIES) {
        target.ranked.add(entry);
      }
      target.all.put(entry.value(), entry.count());
      if (row.getBoolean(row.fieldIndex("disallowed"))
          && row.getInt(row.fieldIndex("ruleRank")) <= EXAMPLES) {
        target.disallowed.add(entry);
      }
    }
    return result;
  }
}
