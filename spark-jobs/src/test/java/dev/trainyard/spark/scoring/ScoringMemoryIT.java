package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays bounded: {@link ScoringJob} completes on an input several times larger than the heap
 * of the JVM that runs it.
 *
 * <p>This JVM (failsafe's, with its default heap) fits a model as {@link ScoringJobTest} does and
 * writes the input; a child JVM with {@code -Xmx} {@value #HEAP} runs {@code ScoringJob.score} on
 * it as a worker would ({@code local[2]}, one PyTorch thread), and this JVM checks what it
 * published.
 *
 * <p>The input: {@value #ROWS} rows of {@code id} bigint, {@code x} double, {@code n} int, {@code
 * color} string and {@code notes}, a {@value #NOTES_BYTES}-byte string (a wide text column that
 * scoring inputs often carry and the model does not use; the job reads it for the quarantine pass
 * and copies it there). Decoded, as Spark holds rows in memory (UnsafeRow: 8-byte null bitset + 8
 * bytes per field + the strings' bytes, rounded to 8): {@value #ROWS} x (8 + 5 x 8 + 8 + {@value
 * #NOTES_BYTES}) = {@value #ROWS} x 2,104 bytes ≈ 1.47 GB (1,404 MiB), which is 4.4 times the 320
 * MiB heap (the numeric columns alone, rows x columns x 8 bytes, are 5 x 8 x 700,000 = 28 MB; the
 * notes make it big). On disk it is far smaller: the notes repeat a 32-character hash, which
 * Parquet's compression folds.
 *
 * <p>Heap: Spark refuses a heap under 450 MiB ({@code 1.5 x} its 300 MiB reserved memory) unless
 * the reservation is lowered, so the child sets {@code spark.testing.reservedMemory} to 32 MiB;
 * every other setting is the worker's. {@value #HEAP} is the heap it was tuned on (with the
 * persisted input of the original job, this input ran it out of memory: OutOfMemoryError building
 * the columnar cache, exit 52).
 *
 * <p>One row in 10,007 has a NaN {@code x} (quarantined with its notes), so the quarantine path
 * runs too. Runtime on the shared 2-core build machine: 97 and 107 s for this class (the child 61
 * and 49 s) in two runs at load averages of 7 to 15. {@code -Dtrainyard.it.scoringMemory.rows=N}
 * and {@code -Dtrainyard.it.scoringMemory.heap=SIZE} override the size and the heap for
 * experiments.
 */
class ScoringMemoryIT {
  static final String HEAP = "320m";
  static final long ROWS = 700_000;
  static final int NOTES_BYTES = 2048;
  static final long NAN_EVERY = 10_007;
  static final long CHILD_TIMEOUT_S = 300;

  @TempDir static Path dir;

  @Test
  void scoresAnInputSeveralTimesLargerThanTheHeap() throws Exception {
    long rows = Long.getLong("trainyard.it.scoringMemory.rows", ROWS);
    String heap = System.getProperty("trainyard.it.scoringMemory.heap", HEAP);
    SparkSession spark = TestData.spark();
    Path modelDir = model(spark);

    String input = dir.resolve("input").toUri().toString();
    spark
        .range(0, rows, 1, 8)
        .selectExpr(
            "id",
            "IF(pmod(id, "
                + NAN_EVERY
                + ") = 0, CAST('NaN' AS DOUBLE), "
                + ScoringJobTest.X
                + ") AS x",
            "CAST(pmod(id, 7) AS INT) AS n",
            ScoringJobTest.COLOR + " AS color",
            "repeat(md5(CAST(id AS STRING)), " + NOTES_BYTES / 32 + ") AS notes")
        .write()
        .parquet(input);
    long quarantined = (rows - 1) / NAN_EVERY + 1;
    long decodedBytes = rows * (8 + 5 * 8 + 8 + NOTES_BYTES);
    System.out.printf(
        "ScoringMemoryIT: %,d rows, decoded ~%,d MiB, %,d bytes on disk; child heap %s%n",
        rows, decodedBytes >> 20, bytes(dir.resolve("input")), heap);

    String output = dir.resolve("output").toUri().toString();
    String quarantine = dir.resolve("quarantine").toUri().toString();
    Path log = dir.resolve("child.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    // The --add-opens list Spark needs on Java 17, as this JVM got it (the parent pom's argLine).
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dio.netty")
          || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(arg);
      }
    }
    command.add("-Dspark.master=local[2]");
    command.add("-Dspark.sql.shuffle.partitions=4");
    command.add("-Dspark.testing.reservedMemory=" + (32 << 20));
    command.add("-Dspark.local.dir=" + dir.resolve("spark-local"));
    command.add("-Dai.djl.pytorch.num_threads=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Child.class.getName());
    command.addAll(List.of(input, modelDir.toString(), output, quarantine));

    long start = System.nanoTime();
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = child.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String childOutput = Files.readString(log);
    if (!exited || child.exitValue() != 0) {
      fail(
          (exited
                  ? "the scoring JVM (-Xmx" + heap + ") exited with " + child.exitValue()
                  : "the scoring JVM (-Xmx"
                      + heap
                      + ") did not finish in "
                      + CHILD_TIMEOUT_S
                      + " s")
              + "; its output:\n"
              + tail(childOutput, 20_000));
    }
    String summary =
        childOutput.lines().filter(l -> l.startsWith("SCORED ")).findFirst().orElse("(none)");
    System.out.printf("ScoringMemoryIT: child ran %.1f s: %s%n", seconds, summary);

    assertThat(dir.resolve("output").resolve("_SUCCESS")).exists();
    assertThat(dir.resolve("quarantine").resolve("_SUCCESS")).exists();
    assertThat(spark.read().parquet(output).count()).isEqualTo(rows - quarantined);
    assertThat(spark.read().parquet(quarantine).count()).isEqualTo(quarantined);
    assertThat(summary)
        .contains("rowsIn=" + rows + " ")
        .contains("scored=" + (rows - quarantined) + " ");
  }

  /** A linear model on 600 rows of the same columns, laid out as a model version's folder. */
  private static Path model(SparkSession spark) throws IOException {
    String training = TestData.parquet(dir, "training", ScoringJobTest.customers(600));
    Path features = dir.resolve("features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(training),
        ScoringJobTest.COLUMNS,
        new SplitSpec(0.8, 0.2, 0, 7),
        features.toUri().toString());
    FeatureManifest manifest =
        FeatureManifest.fromJson(Files.readString(features.resolve("features.json")));
    TrainingResult trained =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(3)
                    .withBatchSize(32)
                    .withLearningRate(0.05)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(3),
                TrainingTask.binary(manifest.numFeatures()))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                dir.resolve("checkpoints"),
                EpochListener.NONE);
    DataProfile profile =
        DataValidation.validate(
                spark, DatasetInput.parquet(training), ScoringJobTest.COLUMNS, null, null)
            .profile();
    Path modelDir = dir.resolve("model");
    ScoringJobTest.copyTree(trained.modelDir(), modelDir.resolve("djl"));
    ScoringJobTest.copyTree(features.resolve("pipeline"), modelDir.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), modelDir.resolve("features.json"));
    Files.writeString(modelDir.resolve("training-profile.json"), profile.toJson());
    return modelDir;
  }

  private static long bytes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static String tail(String text, int chars) {
    return text.length() <= chars ? text : "…" + text.substring(text.length() - chars);
  }

  /** The scoring JVM: {@code INPUT MODEL_DIR OUTPUT QUARANTINE}. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      ScoringReport report =
          ScoringJob.score(
              SparkSessions.local(),
              ScoringRequest.builder()
                  .setInput(DatasetInput.parquet(args[0]))
                  .setModelDir(args[1])
                  .setModelName("memory")
                  .setModelVersion("1")
                  .setScoringRunId("scoring-memory-it")
                  .optKeyColumns(List.of("id"))
                  .setOutputUri(args[2])
                  .setQuarantineUri(args[3])
                  .optBatchSize(ScoringRequest.DEFAULT_BATCH_SIZE)
                  .optMaxQuarantineFraction(0.01)
                  .build());
      System.out.printf(
          "SCORED rowsIn=%d scored=%d quarantined=%d seconds=%.1f maxHeapMiB=%d%n",
          report.rowsIn(),
          report.scored(),
          report.quarantined(),
          report.seconds(),
          Runtime.getRuntime().maxMemory() >> 20);
      // Spark leaves non-daemon threads behind.
      System.exit(0);
    }
  }
}
