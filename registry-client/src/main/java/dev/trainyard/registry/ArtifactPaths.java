package dev.trainyard.registry;

import java.util.StringJoiner;

/** Relative artifact paths: '/'-separated, no leading or trailing '/', never "." or "..". */
final class ArtifactPaths {
  private ArtifactPaths() {}

  /** {@code path} in canonical form ("" for the root); rejects paths that climb out. */
  static String normalize(String path) {
    if (path == null) {
      return "";
    }
    StringJoiner out = new StringJoiner("/");
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        throw new IllegalArgumentException(
            "artifact path must stay inside the artifact root, got '" + path + "'");
      }
      out.add(segment);
    }
    return out.toString();
  }

  /** {@code parent/child}, either may be empty. */
  static String join(String parent, String child) {
    if (parent.isEmpty()) {
      return child;
    }
    if (child.isEmpty()) {
      return parent;
    }
    return parent + "/" + child;
  }

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }
}
