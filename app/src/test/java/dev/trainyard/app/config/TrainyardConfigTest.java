package dev.trainyard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.stack.StackConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainyardConfigTest {
  @TempDir Path home;

  @Test
  void defaultsAreTheLocalStackOnLoopback() {
    StackConfig c = TrainyardConfig.stack(home, null, Map.of());

    assertEquals("127.0.0.1:7233", c.temporal().address());
    assertEquals("default", c.temporal().namespace());
    assertEquals(URI.create("http://127.0.0.1:8233"), c.temporal().uiUri());
    assertEquals(URI.create("http://127.0.0.1:5000"), c.mlflowTrackingUri());
    assertEquals(URI.create("http://127.0.0.1:9000"), c.s3().endpoint());
    assertEquals(home.resolve(".trainyard"), c.stateDir());
    assertEquals(home.resolve(".trainyard/tools"), c.toolsDir());
  }

  @Test
  void openLineageSettingsAreTheOpenLineageVariablesOnly() {
    Map<String, String> env =
        Map.of(
            "OPENLINEAGE_URL", "http://marquez:5000",
            "OPENLINEAGE_API_KEY", "k",
            "OPENLINEAGE__TRANSPORT__TYPE", "console",
            "OPENLINEAGEX", "not ours",
            "AWS_SECRET_ACCESS_KEY", "never");

    TrainyardConfig c = TrainyardConfig.load(home, null, env);

    assertEquals(
        Map.of(
            "OPENLINEAGE_URL", "http://marquez:5000",
            "OPENLINEAGE_API_KEY", "k",
            "OPENLINEAGE__TRANSPORT__TYPE", "console"),
        c.openLineage());
    assertEquals(Map.of(), TrainyardConfig.load(home, null, Map.of()).openLineage());
  }

  @Test
  void aTemporalCloudNamespaceLinksToTheCloudUi() throws IOException {
    URI cloud = URI.create("https://cloud.temporal.io");
    assertEquals(cloud, temporalUi("trainyard-prod.a1b2c.tmprl.cloud:7233", null));
    assertEquals(cloud, temporalUi("us-east-1.aws.api.temporal.io:7233", null));
    assertEquals(
        URI.create("https://temporal.example.com"),
        temporalUi("trainyard-prod.a1b2c.tmprl.cloud:7233", "https://temporal.example.com"));
  }

  /** The Temporal UI for this address (and TRAINYARD_TEMPORAL_UI_URL, when not null). */
  private URI temporalUi(String address, String uiUrl) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put(
        "TEMPORAL_CONFIG_FILE", Files.writeString(home.resolve("temporal.toml"), "").toString());
    env.put("TEMPORAL_ADDRESS", address);
    if (uiUrl != null) {
      env.put("TRAINYARD_TEMPORAL_UI_URL", uiUrl);
    }
    return TrainyardConfig.stack(home, null, env).temporal().uiUri();
  }

  @Test
  void localS3KeysAreGeneratedOnceAndKeptPrivate() throws IOException {
    StackConfig first = TrainyardConfig.stack(home, null, Map.of());
    StackConfig second = TrainyardConfig.stack(home, null, Map.of());

    assertThat(first.s3().accessKeyId()).startsWith("TY").hasSize(20);
    assertThat(first.s3().secretAccessKey()).hasSize(40);
    assertEquals(first.s3().secretAccessKey(), second.s3().secretAccessKey());
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(home.resolve(".trainyard/credentials"))));
    assertThat(first.s3().toString()).doesNotContain(first.s3().secretAccessKey());
  }

  @Test
  void environmentBeatsTheFileWhichBeatsDefaults() throws IOException {
    Path file =
        write(
            "temporal:\n  address: 10.0.0.5:7233\n  namespace: ml\n"
                + "mlflow:\n  trackingUri: http://mlflow.internal:5000\n"
                + "s3:\n  lakeBucket: my-lake\n");

    StackConfig c =
        TrainyardConfig.stack(
            home,
            file,
            Map.of(
                "TEMPORAL_ADDRESS", "temporal.prod:7233",
                "AWS_ENDPOINT_URL_S3", "https://s3.example.com",
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_REGION", "eu-west-1"));

    assertEquals("temporal.prod:7233", c.temporal().address());
    assertEquals("ml", c.temporal().namespace());
    assertEquals(URI.create("http://mlflow.internal:5000"), c.mlflowTrackingUri());
    assertEquals(URI.create("https://s3.example.com"), c.s3().endpoint());
    assertEquals("eu-west-1", c.s3().region());
    assertEquals("my-lake", c.s3().lakeBucket());
    assertEquals("AKIAEXAMPLE", c.s3().accessKeyId());
  }

  @Test
  void workerConcurrencyDefaultsToOneTrainingAtATime() {
    assertEquals(
        new TrainyardConfig.WorkerConcurrency(20, 2, 1),
        TrainyardConfig.workerConcurrency(null, Map.of()));
  }

  @Test
  void workerConcurrencyComesFromTheFileAndTheEnvironmentBeatsIt() throws IOException {
    Path file = write("worker:\n  concurrency:\n    control: 5\n    spark: 3\n    train: 2\n");

    assertEquals(
        new TrainyardConfig.WorkerConcurrency(5, 3, 2),
        TrainyardConfig.workerConcurrency(file, Map.of()));
    assertEquals(
        new TrainyardConfig.WorkerConcurrency(5, 4, 2),
        TrainyardConfig.workerConcurrency(file, Map.of("TRAINYARD_WORKER_CONCURRENCY_SPARK", "4")));
    // The rest of the config still loads with a worker section present.
    assertEquals(
        "127.0.0.1:7233", TrainyardConfig.stack(home, file, Map.of()).temporal().address());
  }

  @Test
  void aBadConcurrencyNamesWhereItCameFromAndWhatToSet() throws IOException {
    Path file = write("worker:\n  concurrency:\n    train: 0\n");

    ConfigException fromFile =
        assertThrows(
            ConfigException.class, () -> TrainyardConfig.workerConcurrency(file, Map.of()));
    ConfigException fromEnv =
        assertThrows(
            ConfigException.class,
            () ->
                TrainyardConfig.workerConcurrency(
                    null, Map.of("TRAINYARD_WORKER_CONCURRENCY_CONTROL", "many")));

    assertEquals(
        "'worker.concurrency.train' in "
            + file
            + " is '0', not a whole number of at least 1. Set how many train activities one"
            + " worker runs at once, e.g. 1.",
        fromFile.getMessage());
    assertThat(fromEnv.getMessage())
        .startsWith("Environment variable TRAINYARD_WORKER_CONCURRENCY_CONTROL is 'many'");
  }

  @Test
  void metricsAreOffByDefaultAndOnLoopbackWhenAPortIsSet() throws IOException {
    TrainyardConfig.MetricsEndpoint off = TrainyardConfig.metrics(null, Map.of());
    assertThat(off.enabled()).isFalse();
    assertEquals("127.0.0.1", off.host());

    assertEquals(
        new TrainyardConfig.MetricsEndpoint("127.0.0.1", 9464),
        TrainyardConfig.metrics(null, Map.of("TRAINYARD_METRICS_PORT", "9464")));

    Path file = write("worker:\n  metrics:\n    port: 9100\n    host: 0.0.0.0\n");
    assertEquals(
        new TrainyardConfig.MetricsEndpoint("0.0.0.0", 9100),
        TrainyardConfig.metrics(file, Map.of()));
    // The environment wins; off (or YAML's bare off, read as false) turns it off.
    assertEquals(
        new TrainyardConfig.MetricsEndpoint("10.0.0.7", 9464),
        TrainyardConfig.metrics(
            file, Map.of("TRAINYARD_METRICS_PORT", "9464", "TRAINYARD_METRICS_HOST", "10.0.0.7")));
    assertThat(TrainyardConfig.metrics(file, Map.of("TRAINYARD_METRICS_PORT", "off")).enabled())
        .isFalse();
    assertThat(
            TrainyardConfig.metrics(write("worker:\n  metrics:\n    port: off\n"), Map.of())
                .enabled())
        .isFalse();
  }

  @Test
  void aBadMetricsPortOrKeyIsReported() throws IOException {
    ConfigException fromEnv =
        assertThrows(
            ConfigException.class,
            () -> TrainyardConfig.metrics(null, Map.of("TRAINYARD_METRICS_PORT", "http")));
    assertThat(fromEnv.getMessage())
        .startsWith("Environment variable TRAINYARD_METRICS_PORT is 'http', not a port.");

    Path file = write("worker:\n  metrics:\n    prot: 9464\n");
    ConfigException unknown =
        assertThrows(ConfigException.class, () -> TrainyardConfig.metrics(file, Map.of()));
    assertThat(unknown.getMessage()).contains("unknown key 'worker.metrics.prot'");
  }

  @Test
  void anUnknownQueueUnderWorkerConcurrencyIsReported() throws IOException {
    Path file = write("worker:\n  concurrency:\n    gpu: 2\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> TrainyardConfig.stack(home, file, Map.of()));

    assertThat(e.getMessage())
        .contains("unknown key 'worker.concurrency.gpu' (known: control, spark, train)");
  }

  @Test
  void theReleaseArchivesCommentedConfigMeansTheDefaults() {
    Path shipped = Path.of("src/dist/conf/trainyard.yaml");

    assertEquals(
        TrainyardConfig.stack(home, null, Map.of()).temporal(),
        TrainyardConfig.stack(home, shipped, Map.of()).temporal());
    assertEquals(
        TrainyardConfig.WorkerConcurrency.DEFAULTS,
        TrainyardConfig.workerConcurrency(shipped, Map.of()));
  }

  @Test
  void everyUnknownKeyIsReportedWithTheKnownOnes() throws IOException {
    Path file = write("temporal:\n  adress: x:1\nmlfow: {}\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> TrainyardConfig.stack(home, file, Map.of()));

    assertThat(e.getMessage())
        .contains(file.toString())
        .contains("unknown key 'temporal.adress' (known: address, namespace, uiUrl)")
        .contains("unknown key 'mlfow'");
  }

  @Test
  void aMalformedAddressNamesTheVariableAndTheExpectedShape() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> TrainyardConfig.stack(home, null, Map.of("TEMPORAL_ADDRESS", "localhost")));

    assertEquals(
        "Environment variable TEMPORAL_ADDRESS is 'localhost', not host:port. Set it like 127.0.0.1:7233.",
        e.getMessage());
  }

  @Test
  void aMalformedUrlInTheFileNamesTheKeyAndFile() throws IOException {
    Path file = write("mlflow:\n  trackingUri: not a url\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> TrainyardConfig.stack(home, file, Map.of()));

    assertThat(e.getMessage()).startsWith("'mlflow.trackingUri' in " + file + " is 'not a url'");
  }

  @Test
  void anExplicitConfigFileMustExist() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> TrainyardConfig.locate(home, home.resolve("nope.yaml"), Map.of()));

    assertThat(e.getMessage()).contains("nope.yaml (from --config) does not exist");
  }

  private Path write(String yaml) throws IOException {
    Path f = home.resolve("trainyard.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void mlflowTlsVariablesAndTheStoredLocalAdmin() {
    StackConfig stack = TrainyardConfig.stack(home, null, Map.of());
    // No admin file: the default stack sends no credentials.
    assertEquals(null, TrainyardConfig.mlflowAuth(Map.of(), stack).username());

    dev.trainyard.stack.MlflowAdmin admin =
        dev.trainyard.stack.MlflowAdmin.loadOrCreate(stack.stateDir());
    Clients.MlflowAuth local = TrainyardConfig.mlflowAuth(Map.of(), stack);
    assertEquals(admin.username(), local.username());
    assertEquals(admin.password(), local.password());
    assertThat(local.toString()).doesNotContain(admin.password());

    Clients.MlflowAuth own =
        TrainyardConfig.mlflowAuth(
            Map.of(
                "MLFLOW_TRACKING_TOKEN", "tok",
                "MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ca.pem",
                "MLFLOW_TRACKING_INSECURE_TLS", "false"),
            stack);
    assertEquals(null, own.username());
    assertEquals("/etc/ca.pem", own.serverCertPath());
    assertEquals(false, own.insecureTls());
    assertEquals(
        true,
        TrainyardConfig.mlflowAuth(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "1"), stack)
            .insecureTls());
    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () ->
                TrainyardConfig.mlflowAuth(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "maybe"), stack));
    assertThat(bad.getMessage()).contains("MLFLOW_TRACKING_INSECURE_TLS");
  }
}
