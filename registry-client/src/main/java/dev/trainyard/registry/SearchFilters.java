package dev.trainyard.registry;

/**
 * Builds MLflow search filter strings with correct quoting, e.g. {@code tags.`mlflow.runName` =
 * 'x'}, for {@link TrackingClient#searchRuns} and {@link ModelRegistryClient#searchModelVersions}.
 */
public final class SearchFilters {
  private SearchFilters() {}

  /** {@code tags.<key> = '<value>'}. */
  public static String tagEquals(String key, String value) {
    return "tags." + identifier(key) + " = " + literal(value);
  }

  /** {@code name = '<model>'} (for model versions). */
  public static String nameEquals(String registeredModelName) {
    return "name = " + literal(registeredModelName);
  }

  /** {@code run_id = '<id>'} (for model versions: those registered from that run). */
  public static String runIdEquals(String runId) {
    return "run_id = " + literal(runId);
  }

  /** {@code a AND b}. */
  public static String and(String... clauses) {
    return String.join(" AND ", clauses);
  }

  /** A key as MLflow's filter grammar wants it: back-quoted unless a plain word. */
  static String identifier(String key) {
    if (key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return key;
    }
    if (key.contains("`")) {
      throw new IllegalArgumentException("a search key cannot contain a back-quote: " + key);
    }
    return "`" + key + "`";
  }

  /**
   * A string literal. MLflow's filter parser has no escapes, so a value with a single quote is
   * double-quoted, and a value with both kinds of quote cannot be searched for.
   */
  static String literal(String value) {
    if (!value.contains("'")) {
      return "'" + value + "'";
    }
    if (!value.contains("\"")) {
      return "\"" + value + "\"";
    }
    throw new IllegalArgumentException(
        "MLflow search cannot match a value containing both ' and \": " + value);
  }
}
