package dev.trainyard.workflows.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URI as a place, so that two spellings of one folder compare equal: {@code /a/b}, {@code
 * file:/a/b}, {@code file:///a/b/}, {@code file://localhost/a/./c/../b} are all {@code
 * file:///a/b}; {@code s3a://} and {@code s3n://} are {@code s3://}. Pure string work, no I/O, so
 * the workflow can use it (deterministic) as well as the CLI. Symbolic links are not followed: the
 * Spark job, which sees the file system, checks what is really there.
 *
 * @param root {@code scheme://authority}, e.g. {@code file://} or {@code s3://bucket}
 * @param segments the path's folder names, {@code .} and {@code ..} resolved; empty for the root
 */
public record Location(String root, List<String> segments) {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):(.*)$");

  public Location {
    segments = List.copyOf(segments);
  }

  /**
   * Parses an absolute path or a URI.
   *
   * @throws IllegalArgumentException naming what is wrong: a relative path, a {@code file:} URI
   *     with a host, an S3 URI without a bucket
   */
  public static Location of(String uri) {
    if (uri.startsWith("/")) {
      return new Location("file://", segments(uri));
    }
    Matcher m = SCHEME.matcher(uri);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + uri + "' is a relative path; use an absolute path or a file:// or s3:// URI");
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    String rest = m.group(2);
    if (scheme.equals("file")) {
      if (rest.startsWith("//")) {
        int slash = rest.indexOf('/', 2);
        String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
        if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
          throw new IllegalArgumentException(
              "'"
                  + uri
                  + "' names the host '"
                  + host
                  + "'; a local path needs three slashes: file:///"
                  + rest.substring(2));
        }
        rest = slash < 0 ? "/" : rest.substring(slash);
      }
      if (!rest.startsWith("/")) {
        throw new IllegalArgumentException(
            "'" + uri + "' is a relative path; use an absolute path (file:///...)");
      }
      return new Location("file://", segments(rest));
    }
    if (!rest.startsWith("//")) {
      throw new IllegalArgumentException(
          "'" + uri + "' has no authority; write " + scheme + "://BUCKET_OR_HOST/path");
    }
    int slash = rest.indexOf('/', 2);
    String authority = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
    boolean s3 = scheme.equals("s3") || scheme.equals("s3a") || scheme.equals("s3n");
    if (authority.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + uri + "' names no " + (s3 ? "bucket" : "host") + "; write " + scheme + "://");
    }
    return new Location(
        (s3 ? "s3" : scheme) + "://" + authority,
        segments(slash < 0 ? "/" : rest.substring(slash)));
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(s);
    }
    return out;
  }

  /** The root of a file system or a bucket: never an output. */
  public boolean isRoot() {
    return segments.isEmpty();
  }

  /** True when {@code other} is this place or lies below it. */
  public boolean contains(Location other) {
    return root.equals(other.root)
        && other.segments.size() >= segments.size()
        && other.segments.subList(0, segments.size()).equals(segments);
  }

  /** True when the places share a folder: one contains the other. */
  public boolean overlaps(Location other) {
    return contains(other) || other.contains(this);
  }

  @Override
  public String toString() {
    return root + "/" + String.join("/", segments);
  }

  /**
   * What is wrong with publishing {@code field} at {@code uri} next to {@code place} (a folder
   * whose contents the publish must never replace), or null when they are apart: the output may not
   * be the place, contain it, or (unless {@code insideAllowed}) lie inside it.
   *
   * @param placeName the place in the user's words, e.g. "the input (file:///data/in)"
   */
  public static String clash(
      String field, Location out, Location place, String placeName, boolean insideAllowed) {
    String fix = "; publishing replaces the whole folder, so write it to a folder of its own";
    if (out.equals(place)) {
      return field + ": " + out + " is " + placeName + fix;
    }
    if (out.contains(place)) {
      return field + ": " + out + " contains " + placeName + fix;
    }
    if (!insideAllowed && place.contains(out)) {
      return field + ": " + out + " is inside " + placeName + fix;
    }
    return null;
  }
}
