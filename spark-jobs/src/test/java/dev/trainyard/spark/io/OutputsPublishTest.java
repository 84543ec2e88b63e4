package dev.trainyard.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing on local disk, without Spark (the writes are plain files; {@link Outputs} needs only a
 * Hadoop configuration): Trainyard replaces only what it published, records what it published in
 * {@code _trainyard.json}, recovers from a publisher killed between its two renames, and two
 * publishers racing for one output leave exactly one of their outputs.
 */
class OutputsPublishTest {
  @TempDir Path dir;
  final Configuration conf = new Configuration();

  static final Publisher SCORES = new Publisher(Publisher.SCORES, "churn", "3", "wf-1", "run-1");

  /** Writes {@code files} data files named after {@code tag} into the staging folder. */
  static java.util.function.Consumer<String> files(String tag, int files) {
    return staging -> {
      try {
        Path s = Path.of(java.net.URI.create(staging));
        Files.createDirectories(s);
        for (int i = 0; i < files; i++) {
          Files.writeString(s.resolve("part-" + i + "-" + tag + ".txt"), tag + " " + i + "\n");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  static List<String> entries(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(p -> !p.equals(folder))
          .map(p -> folder.relativize(p).toString())
          .filter(n -> !n.endsWith(".crc"))
          .sorted()
          .toList();
    }
  }

  static PublishMarker marker(Path out) throws IOException {
    return PublishMarker.read(
        FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(out.resolve(PublishMarker.NAME).toUri()));
  }

  @Test
  void recoveryLeavesAFolderThatOnlyLooksLikeALeftoverAlone() throws Exception {
    Path out = dir.resolve("daily");
    // Named like an output moved aside by a dead publisher, but it is the user's: no marker.
    Path lookalike =
        Files.createDirectories(
            dir.resolve(".daily.replaced-01234567-89ab-cdef-0123-456789abcdef"));
    Files.writeString(lookalike.resolve("notes.txt"), "keep me");

    Outputs.publish(conf, out.toUri().toString(), SCORES, files("a", 2));
    Outputs.publish(conf, out.toUri().toString(), SCORES, files("b", 2));

    assertThat(Files.readString(lookalike.resolve("notes.txt"))).isEqualTo("keep me");
    assertThat(entries(out)).contains("part-0-b.txt").doesNotContain("part-0-a.txt");
  }

  @Test
  void aFolderTrainyardDidNotWriteIsRefusedAndLeftAsItWas() throws Exception {
    Path mine = Files.createDirectories(dir.resolve("project"));
    Files.writeString(mine.resolve("notes.txt"), "keep me");
    Files.createDirectories(mine.resolve("src"));
    Files.writeString(mine.resolve("src/Main.java"), "class Main {}");
    List<String> before = entries(mine);

    for (String uri :
        List.of(
            mine.toUri().toString(),
            "file://" + mine,
            mine + "/",
            "file:" + mine + "/./",
            mine.resolve("src/..").toString())) {
      assertThatThrownBy(() -> Outputs.publish(conf, uri, SCORES, files("new", 2)))
          .as(uri)
          .isInstanceOf(DataInputException.class)
          .hasMessageContaining("will not publish the scores output to " + uri)
          .hasMessageContaining("it holds 2 entries that Trainyard did not publish")
          .hasMessageContaining("(notes.txt, src/)")
          .hasMessageContaining("choose a new folder for the output");
    }
    assertThat(entries(mine)).isEqualTo(before);
    assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("keep me");
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .as("no staging left beside it")
          .noneMatch(n -> n.contains(".staging-"));
    }
  }

  @Test
  void everyPublishRecordsWhoAndWhatAndReplacesOnlyItsOwnKind() throws Exception {
    Path out = dir.resolve("scores");
    Files.createDirectories(out); // an empty folder may be replaced
    Outputs.publish(conf, out.toString(), SCORES, files("first", 3));

    PublishMarker m = marker(out);
    assertThat(m.kind()).isEqualTo("scores");
    assertThat(m.model()).isEqualTo("churn");
    assertThat(m.version()).isEqualTo("3");
    assertThat(m.workflowId()).isEqualTo("wf-1");
    assertThat(m.runId()).isEqualTo("run-1");
    assertThat(m.publishedAt()).isNotBlank();
    assertThat(m.files())
        .containsExactly(
            new PublishMarker.FileEntry("part-0-first.txt", 8),
            new PublishMarker.FileEntry("part-1-first.txt", 8),
            new PublishMarker.FileEntry("part-2-first.txt", 8));
    assertThat(entries(out))
        .containsExactly(
            "_SUCCESS",
            "_trainyard.json",
            "part-0-first.txt",
            "part-1-first.txt",
            "part-2-first.txt");

    // Its own output is replaced, whole.
    Outputs.publish(conf, "file://" + out + "/", SCORES, files("second", 1));
    assertThat(entries(out)).containsExactly("_SUCCESS", "_trainyard.json", "part-0-second.txt");

    // Another kind of Trainyard output is not.
    assertThatThrownBy(
            () ->
                Outputs.publish(
                    conf, out.toString(), Publisher.of(Publisher.FEATURES), files("f", 1)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it holds Trainyard's scores of churn/3 by workflow wf-1 (run run-1)")
        .hasMessageContaining("not a features output");

    // Nor its own output once someone added a file to it.
    Files.writeString(out.resolve("README.md"), "my notes about these scores");
    assertThatThrownBy(() -> Outputs.publish(conf, out.toString(), SCORES, files("third", 1)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("holds 1 file(s) that Trainyard did not write (README.md)");
    assertThat(Files.readString(out.resolve("README.md"))).isEqualTo("my notes about these scores");

    // A file is never an output folder.
    Path file = Files.writeString(dir.resolve("data.csv"), "a,b\n");
    assertThatThrownBy(() -> Outputs.publish(conf, file.toString(), SCORES, files("x", 1)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it is a file, not a folder Trainyard published");
    assertThat(Files.readString(file)).isEqualTo("a,b\n");
  }

  @Test
  void anOutputThatSharesAFolderWithTheInputIsRefusedEvenThroughALink() throws Exception {
    Path input = Files.createDirectories(dir.resolve("lake/events"));
    Path link = Files.createSymbolicLink(dir.resolve("events-link"), input);
    var spark = TestData.spark();

    assertThatThrownBy(
            () ->
                Outputs.checkApart(
                    spark, link.toString(), "output", input.toUri().toString(), "input"))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it is the input");
    assertThatThrownBy(
            () ->
                Outputs.checkApart(
                    spark, dir.resolve("lake").toString(), "output", input.toString(), "input"))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it contains the input");
    assertThatThrownBy(
            () ->
                Outputs.checkApart(
                    spark, link.resolve("scores").toString(), "output", input.toString(), "input"))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it is inside the input");
    Outputs.checkApart(
        spark, dir.resolve("lake/scores").toString(), "output", input.toString(), "input");
    Outputs.checkApart(
        spark, dir.resolve("lake/events2").toString(), "output", input.toString(), "input");
  }

  /**
   * A real worker death between the two renames: a child JVM publishes with the test-only fault
   * point set and halts there. The earlier output is then moved aside, the new one staged, nothing
   * at the output path. The next publish must end with exactly one complete output and nothing
   * beside it but the lock file.
   */
  @Test
  void aPublisherKilledBetweenTheRenamesIsRecoveredByTheNextPublish() throws Exception {
    Path out = dir.resolve("daily");
    Outputs.publish(conf, out.toString(), SCORES, files("before", 2));

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + DirectorySwap.HALT_BETWEEN_RENAMES + "=true",
                "-cp",
                System.getProperty("java.class.path"),
                PublishInChild.class.getName(),
                out.toString(),
                "dying")
            .redirectErrorStream(true)
            .start();
    String log = new String(child.getInputStream().readAllBytes());
    assertThat(child.waitFor()).as(log).isEqualTo(DirectorySwap.HALT_STATUS);
    assertThat(Files.exists(out)).as("the child died with the output moved aside").isFalse();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .anyMatch(n -> n.startsWith(".daily.replaced-"))
          .anyMatch(n -> n.startsWith(".daily.staging-"));
    }

    Outputs.publish(conf, out.toString(), SCORES, files("after", 3));

    assertThat(entries(out))
        .containsExactly(
            "_SUCCESS",
            "_trainyard.json",
            "part-0-after.txt",
            "part-1-after.txt",
            "part-2-after.txt");
    assertThat(marker(out).paths())
        .containsExactly("part-0-after.txt", "part-1-after.txt", "part-2-after.txt");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(".daily.lock", "daily");
    }
  }

  /** A child JVM's main: publishes {@code files(tag, 2)} at {@code args[0]}. */
  public static final class PublishInChild {
    public static void main(String[] args) {
      Outputs.publish(new Configuration(), args[0], SCORES, files(args[1], 2));
    }
  }

  /**
   * Two publishers reach the swap at the same moment (a barrier after their writes), twenty times:
   * each time exactly one complete output is left, all of one publisher's files and none of the
   * other's, and nothing else beside it.
   */
  @Test
  void twoPublishersRacingLeaveExactlyOneCompleteOutput() throws Exception {
    Path out = dir.resolve("raced");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        CyclicBarrier atTheSwap = new CyclicBarrier(2);
        List<Future<?>> both = new ArrayList<>();
        for (String who : List.of("a" + round, "b" + round)) {
          int n = who.startsWith("a") ? 2 : 3;
          both.add(
              pool.submit(
                  () ->
                      Outputs.publish(
                          conf,
                          out.toString(),
                          SCORES,
                          files(who, n)
                              .andThen(
                                  s -> {
                                    try {
                                      atTheSwap.await(1, TimeUnit.MINUTES);
                                    } catch (Exception e) {
                                      throw new IllegalStateException(e);
                                    }
                                  }))));
        }
        for (Future<?> f : both) {
          f.get();
        }
        List<String> data = entries(out).stream().filter(n -> n.startsWith("part-")).toList();
        String a = "a" + round;
        String b = "b" + round;
        List<String> onlyA = List.of("part-0-" + a + ".txt", "part-1-" + a + ".txt");
        List<String> onlyB =
            List.of("part-0-" + b + ".txt", "part-1-" + b + ".txt", "part-2-" + b + ".txt");
        assertThat(data).as("round " + round + ": " + entries(out)).isIn(onlyA, onlyB);
        assertThat(entries(out)).as("round " + round).hasSize(data.size() + 2);
        assertThat(marker(out).paths()).isEqualTo(data);
        try (Stream<Path> s = Files.list(dir)) {
          assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
              .as("round " + round)
              .containsExactly(".raced.lock", "raced");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
