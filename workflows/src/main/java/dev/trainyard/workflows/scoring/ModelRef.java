package dev.trainyard.workflows.scoring;

import java.util.regex.Pattern;

/**
 * A registered model version as users write it: {@code NAME@ALIAS} (resolved once, when a run
 * starts) or {@code NAME/VERSION} (pinned).
 */
public record ModelRef(String name, String alias, String version) {
  // MLflow allows most characters in model names; '@' and '/' separate the parts here.
  private static final Pattern NAME = Pattern.compile("[^@/\\s]+");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]*");

  public static ModelRef parse(String ref) {
    String hint =
        ": write NAME@ALIAS (e.g. churn-classifier@champion) or NAME/VERSION (e.g. churn-classifier/3)";
    if (ref == null || ref.isBlank()) {
      throw new IllegalArgumentException("model reference is empty" + hint);
    }
    int at = ref.lastIndexOf('@');
    int slash = ref.lastIndexOf('/');
    if (at > 0 && slash < 0) {
      String name = ref.substring(0, at);
      String alias = ref.substring(at + 1);
      if (NAME.matcher(name).matches() && ALIAS.matcher(alias).matches()) {
        return new ModelRef(name, alias, null);
      }
    } else if (slash > 0 && at < 0) {
      String name = ref.substring(0, slash);
      String version = ref.substring(slash + 1);
      if (NAME.matcher(name).matches() && VERSION.matcher(version).matches()) {
        return new ModelRef(name, null, version);
      }
    }
    throw new IllegalArgumentException("model reference '" + ref + "' is not valid" + hint);
  }

  public boolean pinned() {
    return version != null;
  }

  @Override
  public String toString() {
    return pinned() ? name + "/" + version : name + "@" + alias;
  }
}
