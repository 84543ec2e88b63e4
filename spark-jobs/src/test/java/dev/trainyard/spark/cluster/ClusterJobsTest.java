package dev.trainyard.spark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.ValidationRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of cluster submission that need no cluster: requests, settings, the Spark home. */
class ClusterJobsTest {
  static final FeatureColumns COLUMNS =
      new FeatureColumns("churn", "binary", List.of("x"), List.of("color"), List.of("id"));

  @Test
  void requestsSurviveTheirJsonTrip() {
    JobRequest features =
        JobRequest.features(
                DatasetInput.csv("s3a://lake/in.csv"),
                COLUMNS,
                new SplitSpec(0.7, 0.2, 0.1, 5),
                "s3a://lake/out")
            .withResultUri("file:/tmp/result.json");
    assertThat(JobRequest.fromJson(features.toJson())).isEqualTo(features);

    JobRequest scoring =
        JobRequest.scoring(
            ScoringRequest.builder()
                .setInput(DatasetInput.parquet("file:/in"))
                .setModelDir("/models/churn/3")
                .setModelName("churn")
                .setModelVersion("3")
                .setScoringRunId("wf-1")
                .optKeyColumns(List.of("id"))
                .setOutputUri("file:/out")
                .setQuarantineUri("file:/quarantine")
                .optBatchSize(256)
                .optMaxQuarantineFraction(0.01)
                .build());
    assertThat(JobRequest.fromJson(scoring.toJson())).isEqualTo(scoring);

    JobRequest validation =
        JobRequest.validation(
            DatasetInput.parquet("file:/in"),
            COLUMNS,
            ValidationRules.defaults().withRange("x", 0, 100),
            new DataProfile(
                10,
                Map.of(
                    "x", new DataProfile.NumericProfile(10, List.of(1.0, 2.0), List.of(0.5, 0.5))),
                Map.of()));
    assertThat(JobRequest.fromJson(validation.toJson())).isEqualTo(validation);
  }

  @Test
  void aRequestCarriesExactlyTheArgumentsOfItsKind() {
    assertThatThrownBy(() -> new JobRequest(JobKind.SCORING, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a scoring job request needs its 'scoring' arguments and no others");
    assertThat(JobKind.parse(" Features ")).isEqualTo(JobKind.FEATURES);
    assertThatThrownBy(() -> JobKind.parse("train"))
        .hasMessage("unknown job kind 'train'; use one of features, scoring, validation");
  }

  @Test
  void settingsRejectWhatCannotWork() {
    Path jar = Path.of("job.jar");
    Path work = Path.of("work");
    assertThatThrownBy(() -> ClusterSettings.of("local[*]", jar, work))
        .hasMessageContaining("in-process Spark");
    assertThatThrownBy(() -> ClusterSettings.of("mesos://h:5050", jar, work))
        .hasMessageContaining("is not spark://HOST:PORT, yarn or k8s://https://HOST:PORT");
    assertThatThrownBy(
            () -> ClusterSettings.of("spark://h:7077", jar, work).withDeployMode("cluster", null))
        .hasMessageContaining("cluster deploy mode on a standalone master is not supported");
    ClusterSettings yarn =
        ClusterSettings.of("yarn", jar, work).withDeployMode("CLUSTER", "s3a://b/x");
    assertThat(yarn.deployMode()).isEqualTo("cluster");
    assertThat(yarn.submitTimeout()).isEqualTo(ClusterSettings.DEFAULT_SUBMIT_TIMEOUT);
  }

  @Test
  void submitterDefaultsGiveWayToTheSettings() {
    SparkSubmitter submitter =
        new SparkSubmitter(
            ClusterSettings.of("spark://h:7077", Path.of("job.jar"), Path.of("work"))
                .withConf("spark.executor.extraJavaOptions", "-Dx=1"));
    assertThat(submitter.conf())
        .containsEntry("spark.sql.session.timeZone", "UTC")
        .containsEntry("spark.executor.extraJavaOptions", "-Dai.djl.pytorch.num_threads=1 -Dx=1")
        .containsEntry("spark.driver.extraJavaOptions", "-Dai.djl.pytorch.num_threads=1");
  }

  @Test
  void theSparkHomeLinksSparksJarsAndHasASubmitScript() throws Exception {
    // Under target/, not a @TempDir: JUnit warns about every link it deletes there.
    Path dir = Path.of("target", "cluster-jobs-test");
    List<String> wanted = SparkHome.wantedJarNames();
    assertThat(wanted)
        .contains("spark-core_2.13-4.1.0.jar", "spark-mllib_2.13-4.1.0.jar")
        .noneMatch(
            n -> n.startsWith("trainyard-") || n.startsWith("api-0.36") || n.startsWith("pytorch"));
    Path home = SparkHome.fromClasspath(dir.resolve("home"));
    assertThat(SparkHome.isSparkHome(home)).isTrue();
    assertThat(home.resolve("bin/spark-submit")).isExecutable();
    try (var jars = Files.list(home.resolve("jars"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrderElementsOf(wanted);
    }
    // Idempotent: a second build over the first keeps the same links.
    SparkHome.fromClasspath(dir.resolve("home"));
    assertThat(Files.readSymbolicLink(home.resolve("jars/spark-core_2.13-4.1.0.jar"))).exists();
  }

  @Test
  void nestedErrorsKeepTheirRootMessage() {
    Exception e =
        new RuntimeException(
            "Job aborted",
            new IllegalStateException("task failed", new ArithmeticException("/ 0")));
    assertThat(JobMain.message(e))
        .isEqualTo(
            "Job aborted; caused by IllegalStateException: task failed; caused by"
                + " ArithmeticException: / 0");
  }
}
