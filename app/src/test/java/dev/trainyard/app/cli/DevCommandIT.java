package dev.trainyard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.stack.Probe;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `trainyard dev up | status | logs | down` as a user runs them, against the real services. */
class DevCommandIT {

  private static Map<String, String> freshStackEnv() throws Exception {
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "dev-");
    return Map.of(
        "TRAINYARD_STATE_DIR", state.toString(),
        "TEMPORAL_ADDRESS", "127.0.0.1:" + Probe.freePort(),
        "TRAINYARD_TEMPORAL_UI_URL", "http://127.0.0.1:" + Probe.freePort(),
        "MLFLOW_TRACKING_URI", "http://127.0.0.1:" + Probe.freePort(),
        "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + Probe.freePort());
  }

  @Test
  void upPrintsBothUisStatusReportsHealthAndDownLeavesNothingRunning() throws Exception {
    Map<String, String> env = freshStackEnv();
    try {
      Cli.Result up = Cli.run(env, "dev", "up");

      assertEquals(0, up.exitCode(), up.stderr());
      assertThat(up.stdout())
          .contains("Temporal UI:  " + env.get("TRAINYARD_TEMPORAL_UI_URL"))
          .contains("MLflow UI:    " + env.get("MLFLOW_TRACKING_URI"));
      assertEquals(200, get(URI.create(env.get("TRAINYARD_TEMPORAL_UI_URL"))));
      assertEquals(200, get(URI.create(env.get("MLFLOW_TRACKING_URI"))));

      Cli.Result status = Cli.run(env, "dev", "status", "--json");
      assertEquals(0, status.exitCode(), status.stderr());
      JsonNode doc = new ObjectMapper().readTree(status.stdout());
      assertTrue(doc.get("healthy").asBoolean());
      List<Long> pids = new ArrayList<>();
      for (JsonNode s : doc.get("services")) {
        assertTrue(s.get("healthy").asBoolean(), s.toString());
        assertTrue(s.get("managed").asBoolean());
        pids.add(s.get("pid").asLong());
      }
      JsonNode services = doc.get("services");
      assertEquals(
          env.get("AWS_ENDPOINT_URL_S3"), services.get(0).at("/endpoints/endpoint").asText());
      assertEquals(env.get("MLFLOW_TRACKING_URI"), services.get(1).at("/endpoints/ui").asText());
      assertEquals(env.get("TEMPORAL_ADDRESS"), services.get(2).at("/endpoints/grpc").asText());

      Cli.Result again = Cli.run(env, "dev", "up");
      assertEquals(0, again.exitCode(), again.stderr());
      assertThat(again.stderr()).doesNotContain("starting ");
      JsonNode after =
          new ObjectMapper().readTree(Cli.run(env, "dev", "status", "--json").stdout());
      for (int i = 0; i < 3; i++) {
        assertEquals(pids.get(i), after.get("services").get(i).get("pid").asLong());
      }

      Cli.Result logs = Cli.run(env, "dev", "logs", "mlflow", "-n", "200");
      assertEquals(0, logs.exitCode());
      assertThat(logs.stdout()).contains("/health");

      Cli.Result down = Cli.run(env, "dev", "down");
      assertEquals(0, down.exitCode(), down.stderr());
      assertEquals("stopped: temporal, mlflow, s3", down.stdout().trim());
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
      }
      Cli.Result downStatus = Cli.run(env, "dev", "status");
      assertEquals(3, downStatus.exitCode());
      assertThat(downStatus.stdout()).contains("DOWN").contains("run `./trainyard dev up`");
    } finally {
      Cli.run(env, "dev", "down");
    }
  }

  @Test
  void aTakenPortFailsWithOneLineThatSaysHowToMove() throws Exception {
    Map<String, String> env = freshStackEnv();
    int port = URI.create(env.get("AWS_ENDPOINT_URL_S3")).getPort();
    try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      Cli.Result up = Cli.run(env, "dev", "up");

      assertEquals(1, up.exitCode());
      String error = lastLine(up.stderr());
      assertThat(error)
          .startsWith("error: Port " + port + " on 127.0.0.1 is taken by another program")
          .contains("set AWS_ENDPOINT_URL_S3=http://127.0.0.1:<port>");
    }
  }

  @Test
  void everyVerbHasHelp() throws Exception {
    for (String[] verb :
        List.of(
            new String[] {"--help"},
            new String[] {"dev", "--help"},
            new String[] {"dev", "up", "--help"},
            new String[] {"dev", "down", "--help"},
            new String[] {"dev", "status", "--help"},
            new String[] {"dev", "logs", "--help"},
            new String[] {"worker", "--help"},
            new String[] {"demo", "--help"},
            new String[] {"train", "--help"},
            new String[] {"runs", "--help"},
            new String[] {"approve", "--help"},
            new String[] {"models", "--help"},
            new String[] {"promote", "--help"},
            new String[] {"rollback", "--help"},
            new String[] {"lineage", "--help"})) {
      Cli.Result r = Cli.run(Map.of(), verb);
      assertEquals(0, r.exitCode(), String.join(" ", verb));
      assertThat(r.stdout()).startsWith("Usage: trainyard");
    }
    Cli.Result version = Cli.run(Map.of(), "--version");
    assertThat(version.stdout()).startsWith("trainyard 0.");
  }

  @Test
  void aBadPipelineSpecListsEveryProblemBeforeAnythingStarts() throws Exception {
    Path spec = Files.createTempFile("bad", ".yaml");
    Files.writeString(
        spec,
        "name: churn\ndataset: {uri: /data/x.parquet}\nlabel: y\ntask: binary\n"
            + "features: {numeric: [a]}\nsplit: {train: 0.8, validation: 0.1, test: 0.2}\n"
            + "gate: {thresholds: {rmse: {max: 1}}}\nregisteredModel: m\nowner: me\n");

    // TEMPORAL_ADDRESS points nowhere: the spec must be rejected before any connection is tried.
    Cli.Result r =
        Cli.run(
            Map.of("TEMPORAL_ADDRESS", "127.0.0.1:" + Probe.freePort()),
            "train",
            "--pipeline",
            spec.toString());

    assertEquals(1, r.exitCode());
    assertThat(r.stderr())
        .startsWith("error: " + spec + " has 1 problem(s):")
        .contains("owner: unknown field");
    Files.writeString(spec, Files.readString(spec).replace("owner: me\n", ""));
    Cli.Result rules =
        Cli.run(
            Map.of("TEMPORAL_ADDRESS", "127.0.0.1:" + Probe.freePort()),
            "train",
            "--pipeline",
            spec.toString());
    assertThat(rules.stderr())
        .contains("has 2 problem(s)")
        .contains("split: train + validation + test = 1.1, must be 1")
        .contains("gate.thresholds.rmse: no such metric for task 'binary'");
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  private static int get(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
