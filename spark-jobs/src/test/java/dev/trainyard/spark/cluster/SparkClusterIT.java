package dev.trainyard.spark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.FeatureResult;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.spark.launcher.SparkAppHandle.State;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature and scoring jobs submitted by {@link SparkSubmitter} to a real Spark standalone
 * cluster (a master and two workers on loopback, started from the Spark jars of the test class
 * path) write exactly what the in-process run writes; an unreachable master, a job that fails and a
 * cancelled job each end in a clear {@link SparkJobException}.
 */
class SparkClusterIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static StandaloneCluster cluster;
  static Path clusterDir;
  static SparkSubmitter submitter;
  static String input;

  static final FeatureColumns COLUMNS =
      new FeatureColumns("churn", "binary", List.of("x", "n"), List.of("color"), List.of("id"));
  static final SplitSpec SPLIT = new SplitSpec(0.7, 0.15, 0.15, 7);
  static final String X = "CAST(pmod(id * 7919, 1000) AS DOUBLE) / 10.0";

  @BeforeAll
  static void startCluster() throws Exception {
    spark = SparkSessions.local();
    clusterDir = Path.of(System.getProperty("trainyard.spark.clusterDir", "target/spark-cluster"));
    deleteTree(clusterDir);
    cluster = StandaloneCluster.start(clusterDir, 2);
    Path jobJar = Path.of(System.getProperty("trainyard.spark.jobJar"));
    submitter =
        new SparkSubmitter(
            settings(cluster.masterUrl())
                .withSparkHome(cluster.sparkHome())
                .withSubmitTimeout(Duration.ofSeconds(90)));
    assertThat(jobJar).isRegularFile();

    // 600 customers; x NaN in every 50th row (quarantined by scoring), nulls scored as median.
    spark
        .range(600)
        .selectExpr(
            "id",
            "IF(pmod(id, 50) = 7, CAST('NaN' AS DOUBLE), IF(pmod(id, 13) = 0, NULL, "
                + X
                + ")) AS x",
            "CAST(pmod(id, 7) AS INT) AS n",
            "element_at(array('red', 'green', 'blue'), CAST(pmod(id, 3) + 1 AS INT)) AS color",
            "IF(" + X + " + IF(pmod(id, 3) = 0, 30, 0) > 60, 'yes', 'no') AS churn")
        .coalesce(2)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir.resolve("customers").toString());
    input = dir.resolve("customers").toUri().toString();
  }

  static ClusterSettings settings(String master) {
    return ClusterSettings.of(
            master,
            Path.of(System.getProperty("trainyard.spark.jobJar")),
            clusterDir.resolve("submitter"))
        .withConf("spark.driver.host", "127.0.0.1")
        .withConf("spark.driver.bindAddress", "127.0.0.1")
        .withConf("spark.driver.memory", "768m")
        .withConf("spark.executor.memory", "640m")
        .withConf("spark.executor.cores", "1")
        .withConf("spark.sql.shuffle.partitions", "4")
        .withConf("spark.ui.enabled", "false")
        // Short-lived JVMs on a small machine: C1 only and the serial collector start faster.
        .withConf("spark.driver.extraJavaOptions", StandaloneCluster.FAST_START)
        .withConf("spark.executor.extraJavaOptions", StandaloneCluster.FAST_START);
  }

  /** For jobs that fail or are cancelled early: a second executor would only cost start-up time. */
  static SparkSubmitter oneExecutor() {
    return new SparkSubmitter(submitter.settings().withConf("spark.cores.max", "1"));
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    // Every executor keeps a copy of the job jar (~120 MB) in its work directory.
    if (clusterDir != null) {
      for (String keep : List.of("worker-0", "worker-1", "local")) {
        deleteTree(clusterDir.resolve(keep));
      }
    }
  }

  @Test
  void featureAndScoringJobsOnTheClusterWriteWhatTheInProcessRunWrites() throws IOException {
    // ---- features
    String localFeatures = dir.resolve("features-local").toUri().toString();
    String clusterFeatures = dir.resolve("features-cluster").toUri().toString();
    FeatureResult local =
        FeatureJob.fitAndWrite(spark, DatasetInput.parquet(input), COLUMNS, SPLIT, localFeatures);

    List<JobStatus> heartbeats = new CopyOnWriteArrayList<>();
    List<JobStatus> changes = new CopyOnWriteArrayList<>();
    SubmittedJob job =
        submitter.submit(
            JobRequest.features(DatasetInput.parquet(input), COLUMNS, SPLIT, clusterFeatures),
            changes::add);
    JobOutcome outcome = job.await(Duration.ofMillis(500), heartbeats::add);
    FeatureResult remote = outcome.featureResult();

    assertThat(remote).isEqualTo(local.withOutputUri(clusterFeatures));
    assertThat(outcome.appId()).startsWith("app-");
    assertThat(changes).extracting(JobStatus::state).contains(State.RUNNING, State.FINISHED);
    assertThat(heartbeats).isNotEmpty().allSatisfy(s -> assertThat(s.isFinal()).isFalse());
    assertThat(job.status().appId()).isEqualTo(outcome.appId());
    for (String set : List.of("train", "validation", "test")) {
      Map<Long, Row> expected = byId(localFeatures + "/" + set);
      Map<Long, Row> actual = byId(clusterFeatures + "/" + set);
      assertThat(actual.keySet()).as(set + " ids").isEqualTo(expected.keySet());
      expected.forEach(
          (id, row) -> {
            Row other = actual.get(id);
            assertThat(other.getDouble(2)).as("label of " + id).isEqualTo(row.getDouble(2));
            List<Float> a = other.getList(1);
            List<Float> e = row.getList(1);
            assertThat(a).hasSameSizeAs(e);
            for (int i = 0; i < e.size(); i++) {
              assertThat((double) a.get(i)).isCloseTo(e.get(i), within(1e-6));
            }
          });
    }
    assertThat(manifest(clusterFeatures)).isEqualTo(manifest(localFeatures));
    assertThat(Path.of(java.net.URI.create(clusterFeatures)).resolve("_SUCCESS")).exists();

    // ---- scoring with a model trained on the in-process features
    Path modelDir = trainModel(Path.of(java.net.URI.create(localFeatures)), local.numFeatures());
    ScoringRequest inProcess = scoringRequest(modelDir, "local");
    ScoringRequest onCluster = scoringRequest(modelDir, "cluster");
    ScoringReport expected = ScoringJob.score(spark, inProcess);
    ScoringReport actual =
        submitter
            .run(JobRequest.scoring(onCluster), Duration.ofSeconds(1), s -> {})
            .scoringReport();

    assertThat(actual.rowsIn()).isEqualTo(expected.rowsIn()).isEqualTo(600);
    assertThat(actual.scored()).isEqualTo(expected.scored());
    assertThat(actual.quarantined()).isEqualTo(expected.quarantined()).isEqualTo(12);
    assertThat(actual.quarantineReasons()).isEqualTo(expected.quarantineReasons());
    assertThat(actual.predictionDistribution().keySet())
        .isEqualTo(expected.predictionDistribution().keySet());
    expected
        .predictionDistribution()
        .forEach((k, v) -> assertThat(actual.predictionDistribution().get(k)).isEqualTo(v));
    expected.psi().forEach((k, v) -> assertThat(actual.psi().get(k)).isCloseTo(v, within(1e-9)));

    Map<Long, Row> scoredLocal = byId(inProcess.outputUri());
    Map<Long, Row> scoredCluster = byId(onCluster.outputUri());
    assertThat(scoredCluster.keySet()).isEqualTo(scoredLocal.keySet()).hasSize(588);
    scoredLocal.forEach(
        (id, row) -> {
          Row other = scoredCluster.get(id);
          assertThat(other.getString(1)).as("prediction of " + id).isEqualTo(row.getString(1));
          List<Double> p = row.getList(2);
          List<Double> q = other.getList(2);
          for (int i = 0; i < p.size(); i++) {
            assertThat(q.get(i)).as("probability of " + id).isCloseTo(p.get(i), within(1e-6));
          }
          assertThat(List.of(other.getString(3), other.getString(4))).containsExactly("churn", "3");
        });
    assertThat(byId(onCluster.quarantineUri()).keySet())
        .isEqualTo(byId(inProcess.quarantineUri()).keySet());
  }

  @Test
  void anUnreachableMasterFailsAtOnceNamingTheUrl() throws IOException {
    String master = "spark://127.0.0.1:" + StandaloneCluster.freePort();
    long start = System.nanoTime();
    SparkJobException e =
        catchThrowableOfType(
            SparkJobException.class,
            () ->
                new SparkSubmitter(settings(master))
                    .submit(
                        JobRequest.features(
                            DatasetInput.parquet(input),
                            COLUMNS,
                            SPLIT,
                            dir.resolve("never").toUri().toString()),
                        s -> {}));
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
    assertThat(e.reason()).isEqualTo(SparkJobException.Reason.UNREACHABLE_MASTER);
    assertThat(e.master()).isEqualTo(master);
    assertThat(e.getMessage())
        .startsWith("cannot reach the Spark master at " + master + " (127.0.0.1:")
        .contains("Connection refused")
        .contains("Nothing was submitted")
        .contains("spark://HOST:7077");
    assertThat(e.isNonRetryable()).isFalse();
  }

  @Test
  void aMasterThatNeverAcceptsTheApplicationTimesOutAndTheDriverIsKilled() throws Exception {
    // Something listens, but it is no Spark master: the driver waits to register.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // done
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String master = "spark://127.0.0.1:" + silent.getLocalPort();
      SubmittedJob job =
          new SparkSubmitter(
                  settings(master)
                      .withSparkHome(cluster.sparkHome())
                      .withSubmitTimeout(Duration.ofSeconds(5)))
              .submit(
                  JobRequest.features(
                      DatasetInput.parquet(input),
                      COLUMNS,
                      SPLIT,
                      dir.resolve("never-accepted").toUri().toString()),
                  s -> {});
      SparkJobException e =
          catchThrowableOfType(
              SparkJobException.class, () -> job.await(Duration.ofMillis(200), null));
      assertThat(e.reason()).isEqualTo(SparkJobException.Reason.SUBMIT_TIMEOUT);
      assertThat(e.getMessage())
          .contains(" on " + master + " was not accepted by the master within 5 s")
          .contains("free cores and memory");
      assertThat(e.isNonRetryable()).isFalse();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!job.driverProcesses().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(job.driverProcesses()).as("the driver process").isEmpty();
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aJobThatFailsReportsTheDriversErrorWithAppIdAndMaster() {
    String missing = dir.resolve("nowhere").toUri().toString();
    SparkJobException e =
        catchThrowableOfType(
            SparkJobException.class,
            () ->
                oneExecutor()
                    .run(
                        JobRequest.features(
                            DatasetInput.parquet(missing),
                            COLUMNS,
                            SPLIT,
                            dir.resolve("features-nowhere").toUri().toString()),
                        Duration.ofSeconds(1),
                        s -> {}));
    assertThat(e.reason()).isEqualTo(SparkJobException.Reason.JOB_ERROR);
    assertThat(e.errorType()).isEqualTo("dev.trainyard.spark.io.DataInputException");
    assertThat(e.appId()).startsWith("app-");
    assertThat(e.getMessage())
        .contains("features job trainyard-features-")
        .contains("(" + e.appId() + ") on " + cluster.masterUrl())
        .contains("failed in the driver: DataInputException: dataset not found: " + missing)
        .contains("driver log: ");
    assertThat(e.isNonRetryable()).isTrue();
    assertThat(Path.of(e.driverLog())).exists();
    assertThat(dir.resolve("features-nowhere")).doesNotExist();
  }

  @Test
  void aHeartbeatThatThrowsCancelsTheJobOnTheCluster() throws Exception {
    String output = dir.resolve("features-cancelled").toUri().toString();
    SubmittedJob job =
        oneExecutor()
            .submit(
                JobRequest.features(DatasetInput.parquet(input), COLUMNS, SPLIT, output), s -> {});
    // Temporal's heartbeat throws once the activity is cancelled; here: as soon as it runs.
    assertThatThrownBy(
            () ->
                job.await(
                    Duration.ofMillis(200),
                    s -> {
                      if (s.state() == State.RUNNING) {
                        throw new IllegalStateException("activity cancelled");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("activity cancelled");
    assertThat(job.status().state()).isIn(State.KILLED, State.FAILED, State.FINISHED);
    assertThatThrownBy(() -> job.await(Duration.ofMillis(200), null))
        .isInstanceOf(SparkJobException.class)
        .satisfies(
            t ->
                assertThat(((SparkJobException) t).reason())
                    .isEqualTo(SparkJobException.Reason.CANCELLED));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cluster.activeApps() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(cluster.activeApps()).as("applications still active on the master").isZero();
    while (!job.driverProcesses().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(job.driverProcesses()).as("the driver process").isEmpty();
    assertThat(dir.resolve("features-cancelled")).doesNotExist();
  }

  // ---- helpers

  static Map<Long, Row> byId(String uri) {
    Map<Long, Row> rows = new TreeMap<>();
    for (Row row : spark.read().parquet(uri).collectAsList()) {
      rows.put(row.getLong(0), row);
    }
    return rows;
  }

  static FeatureManifest manifest(String uri) throws IOException {
    return FeatureManifest.fromJson(
        Files.readString(Path.of(java.net.URI.create(uri)).resolve("features.json")));
  }

  static ScoringRequest scoringRequest(Path modelDir, String name) {
    return ScoringRequest.builder()
        .setInput(DatasetInput.parquet(input))
        .setModelDir(modelDir.toString())
        .setModelName("churn")
        .setModelVersion("3")
        .setScoringRunId("run-" + name)
        .optKeyColumns(List.of("id"))
        .setOutputUri(dir.resolve("scored-" + name).toUri().toString())
        .setQuarantineUri(dir.resolve("quarantine-" + name).toUri().toString())
        .optBatchSize(64)
        .optPartitions(2)
        .optMaxQuarantineFraction(0.1)
        .build();
  }

  /** A linear model on the features; the folder laid out as a model version's artifacts. */
  static Path trainModel(Path features, int numFeatures) throws IOException {
    TrainingResult trained =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(5)
                    .withBatchSize(32)
                    .withLearningRate(0.05)
                    .withEarlyStoppingPatience(0)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(3),
                TrainingTask.binary(numFeatures))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                dir.resolve("checkpoints"),
                EpochListener.NONE);
    Path model = dir.resolve("model");
    copyTree(trained.modelDir(), model.resolve("djl"));
    copyTree(features.resolve("pipeline"), model.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), model.resolve("features.json"));
    return model;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.forEach(all::add);
    }
    all.sort(Comparator.reverseOrder());
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
