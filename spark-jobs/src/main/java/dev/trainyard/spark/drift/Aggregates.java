package dev.trainyard.spark.drift;

import static org.apache.spark.sql.functions.count_if;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Aggregate expressions under generated aliases, so the results of one pass are read back by alias.
 * Validation builds its passes with it; {@link PopulationStability} counts drift bins with it.
 */
public final class Aggregates {
  private final List<Column> columns = new ArrayList<>();
  private final String prefix;

  public Aggregates() {
    this("a");
  }

  /**
   * @param prefix of the aliases, so aggregates of several sets can share one row
   */
  public Aggregates(String prefix) {
    this.prefix = prefix;
  }

  /** Adds {@code aggregate}; returns its alias. */
  public String add(Column aggregate) {
    String alias = prefix + columns.size();
    columns.add(aggregate.as(alias));
    return alias;
  }

  /** Aliases of {@code count(v <= edge)} for each edge, in order. */
  public List<String> cumulativeBinCounts(Column v, List<Double> edges) {
    List<String> aliases = new ArrayList<>();
    for (Double edge : edges) {
      aliases.add(add(count_if(v.leq(edge))));
    }
    return aliases;
  }

  /** Every aggregate added so far, aliased. */
  List<Column> columns() {
    return List.copyOf(columns);
  }

  public Column first() {
    return columns.get(0);
  }

  public Column[] rest() {
    return columns.subList(1, columns.size()).toArray(Column[]::new);
  }
}
