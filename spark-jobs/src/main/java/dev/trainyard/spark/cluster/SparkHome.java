package dev.trainyard.spark.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Spark home built from the Spark jars this JVM already has (Maven's), for machines without a
 * Spark distribution: {@code jars/} (links to Spark, Scala, Hadoop and their dependencies — exactly
 * the runtime dependencies of spark-jobs that the job jar leaves out, listed at build time in
 * {@code spark-runtime.txt}) and {@code bin/spark-submit}, which does what Spark's own script does:
 * {@code org.apache.spark.launcher.Main} prints the driver's java command (memory, class path, Java
 * 17 options, extra java options) and the script runs it.
 *
 * <p>Enough for {@code SparkLauncher} (which needs {@code SPARK_HOME/bin/spark-submit}) to submit
 * to Spark standalone masters, and for the standalone Master and Worker processes of the tests
 * (workers start executors with {@code SPARK_HOME/jars/*}). YARN and Kubernetes need a real
 * distribution (their submission clients, {@code spark-yarn} and {@code spark-kubernetes}, are not
 * dependencies of Trainyard): set {@code SPARK_HOME}.
 */
public final class SparkHome {
  static final String RUNTIME_LIST = "spark-runtime.txt";

  private SparkHome() {}

  /** Whether {@code dir} looks like a Spark home: {@code bin/spark-submit} and {@code jars/}. */
  public static boolean isSparkHome(Path dir) {
    return dir != null
        && Files.isRegularFile(dir.resolve("bin/spark-submit"))
        && Files.isDirectory(dir.resolve("jars"));
  }

  /**
   * Creates (or refreshes) a Spark home in {@code dir} from this JVM's Spark jars and returns it.
   *
   * @throws IllegalStateException when a jar the list names is not on this JVM's class path
   */
  public static synchronized Path fromClasspath(Path dir) {
    List<Path> jars = runtimeJars();
    try {
      Path jarsDir = Files.createDirectories(dir.resolve("jars"));
      Set<String> names = new LinkedHashSet<>();
      for (Path jar : jars) {
        String name = jar.getFileName().toString();
        names.add(name);
        Path link = jarsDir.resolve(name);
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(jar)) {
          continue;
        }
        Path tmp = jarsDir.resolve("." + name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, jar);
        Files.move(tmp, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      try (Stream<Path> existing = Files.list(jarsDir)) {
        for (Path stale : existing.toList()) {
          if (!names.contains(stale.getFileName().toString())) {
            Files.deleteIfExists(stale);
          }
        }
      }
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path submit = bin.resolve("spark-submit");
      Path tmp = bin.resolve(".spark-submit.tmp");
      Files.writeString(tmp, SUBMIT_SCRIPT, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(tmp, submit, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.createDirectories(dir.resolve("conf"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Spark home in " + dir, e);
    }
  }

  /** The jars of {@code spark-runtime.txt}, found on this JVM's class path. */
  public static List<Path> runtimeJars() {
    List<String> wanted = wantedJarNames();
    Map<String, Path> available = new LinkedHashMap<>();
    for (Path entry : classpath()) {
      available.putIfAbsent(entry.getFileName().toString(), entry);
    }
    List<Path> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : wanted) {
      Path jar = available.get(name);
      if (jar == null) {
        missing.add(name);
      } else {
        found.add(jar.toAbsolutePath());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          missing.size()
              + " Spark runtime jar(s) are not on this JVM's class path, e.g. "
              + missing.subList(0, Math.min(5, missing.size()))
              + ": cannot build a Spark home from the class path. Set SPARK_HOME to a Spark "
              + "4.1 (Scala 2.13) distribution instead.");
    }
    return found;
  }

  /** File names ({@code artifactId-version[-classifier].jar}) listed in spark-runtime.txt. */
  static List<String> wantedJarNames() {
    List<String> names = new ArrayList<>();
    try (InputStream in = SparkHome.class.getResourceAsStream(RUNTIME_LIST)) {
      if (in == null) {
        throw new IllegalStateException(
            RUNTIME_LIST
                + " is missing from the spark-jobs jar: it is generated by the Maven build");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        // A build run in a colour terminal writes ANSI colour codes into the list too.
        String coordinates = line.replaceAll("\u001B\\[[0-9;]*m", "").trim();
        int space = coordinates.indexOf(' ');
        if (space >= 0) {
          coordinates = coordinates.substring(0, space);
        }
        String[] parts = coordinates.split(":");
        if (parts.length == 4 && parts[2].equals("jar")) {
          names.add(parts[1] + "-" + parts[3] + ".jar");
        } else if (parts.length == 5 && parts[2].equals("jar")) {
          names.add(parts[1] + "-" + parts[4] + "-" + parts[3] + ".jar");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /**
   * This JVM's class path entries that are jars: {@code java.class.path} (and surefire's test class
   * path), plus the jars beside the one that holds Spark (an application's {@code lib/}).
   */
  private static List<Path> classpath() {
    Set<Path> entries = new LinkedHashSet<>();
    for (String property : List.of("surefire.test.class.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null) {
        for (String entry : value.split(File.pathSeparator)) {
          if (entry.endsWith(".jar")) {
            entries.add(Path.of(entry));
          }
        }
      }
    }
    try {
      var source = org.apache.spark.SparkContext.class.getProtectionDomain().getCodeSource();
      if (source != null) {
        Path sparkCore = Path.of(source.getLocation().toURI());
        Path lib = sparkCore.getParent();
        if (lib != null && Files.isDirectory(lib)) {
          try (Stream<Path> files = Files.list(lib)) {
            files.filter(f -> f.toString().endsWith(".jar")).forEach(entries::add);
          }
        }
      }
    } catch (URISyntaxException | IOException | RuntimeException e) {
      // the class path alone will have to do
    }
    return entries.stream().filter(Files::isRegularFile).toList();
  }

  /**
   * Spark's {@code bin/spark-class} protocol: {@code launcher.Main} prints anything it has to say,
   * then a NUL line, then the command NUL-separated; the script appends the launcher's exit code.
   */
  private static final String SUBMIT_SCRIPT =
      """
      #!/usr/bin/env bash
      # spark-submit over the jars in ../jars, generated by Trainyard (SparkHome.fromClasspath)
      # for machines without a Spark distribution. Works like Spark's bin/spark-class.
      SPARK_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
      export SPARK_HOME
      export SPARK_SCALA_VERSION=2.13
      if [ -n "${JAVA_HOME:-}" ]; then RUNNER="$JAVA_HOME/bin/java"; else RUNNER=java; fi
      build_command() {
        "$RUNNER" -Xmx128m ${SPARK_LAUNCHER_OPTS:-} -cp "$SPARK_HOME/jars/*" \\
          org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@"
        printf '%d\\0' $?
      }
      set +o posix
      CMD=()
      DELIM=$'\\n'
      STARTED=false
      while IFS= read -d "$DELIM" -r ARG; do
        if [ "$STARTED" == true ]; then
          CMD+=("$ARG")
        elif [ "$ARG" == "" ]; then
          DELIM=''
          STARTED=true
        else
          echo "$ARG"
        fi
      done < <(build_command "$@")
      COUNT=${#CMD[@]}
      if [ "$COUNT" -eq 0 ]; then
        echo "spark-submit: org.apache.spark.launcher.Main printed no command" >&2
        exit 1
      fi
      LAST=$((COUNT - 1))
      LAUNCHER_EXIT_CODE=${CMD[$LAST]}
      if ! [[ $LAUNCHER_EXIT_CODE =~ ^[0-9]+$ ]]; then
        echo "${CMD[@]}" | head -n-1 1>&2
        exit 1
      fi
      if [ "$LAUNCHER_EXIT_CODE" != 0 ]; then
        exit "$LAUNCHER_EXIT_CODE"
      fi
      exec "${CMD[@]:0:$LAST}"
      """;
}
