package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.S3Extension;
import dev.trainyard.testing.S3Server;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Upload and download of a folder tree, byte for byte, through each artifact scheme; the files are
 * also checked from the server's side ({@code /api/2.0/mlflow/artifacts/list}) or on S3.
 */
@ExtendWith({MlflowExtension.class, S3Extension.class})
class ArtifactsIT {
  private final MlflowServer server;
  private final MlflowClient mlflow;

  @TempDir Path tmp;

  ArtifactsIT(MlflowServer server) {
    this.server = server;
    this.mlflow = TestClients.client(server);
  }

  @AfterEach
  void close() {
    mlflow.close();
  }

  @Test
  void mlflowArtifactsRoundTripThroughTheTrackingServer() throws IOException {
    Run run = newRun(null);
    assertTrue(run.info().artifactUri().startsWith("mlflow-artifacts:"), run.info().artifactUri());

    roundTrip(run);
  }

  @Test
  void s3RoundTripGoesStraightToTheBucket(S3Server s3) throws IOException {
    String prefix = TestClients.unique("it-s3");
    Run run = newRun("s3://" + s3.artifactBucket() + "/" + prefix);
    assertTrue(run.info().artifactUri().startsWith("s3://"), run.info().artifactUri());

    roundTrip(run);

    // The objects are in the bucket, under the run's key prefix.
    try (S3Client client = s3Client(s3)) {
      List<String> keys =
          client
              .listObjectsV2Paginator(b -> b.bucket(s3.artifactBucket()).prefix(prefix + "/"))
              .contents()
              .stream()
              .map(o -> o.key())
              .toList();
      String runPrefix = prefix + "/" + run.runId() + "/artifacts/model/";
      assertTrue(keys.contains(runPrefix + "weights/params.bin"), keys.toString());
      assertTrue(keys.contains(runPrefix + "spec/a b.json"), keys.toString());
    }
  }

  @Test
  void fileRoundTripUsesTheLocalFolder() throws IOException {
    Path store = Files.createDirectories(tmp.resolve("store"));
    Run run = newRun(store.toUri().toString());
    assertTrue(run.info().artifactUri().startsWith("file:"), run.info().artifactUri());

    roundTrip(run);

    Path local =
        ArtifactLocation.parse(run.info().artifactUri()) instanceof ArtifactLocation.Local l
            ? l.path()
            : null;
    assertTrue(Files.isRegularFile(local.resolve("model/weights/params.bin")));
  }

  @Test
  void downloadOfAMissingPathIsResourceNotFound() {
    Run run = newRun(null);
    ResourceNotFoundException e =
        assertThrows(
            ResourceNotFoundException.class,
            () ->
                mlflow
                    .artifacts()
                    .download(run.info().artifactUri(), "nothing/here", tmp.resolve("x")));
    assertTrue(e.getMessage().contains("nothing/here"), e.getMessage());
    assertTrue(!e.isRetryable());
  }

  /** A run in a new experiment; {@code artifactLocation} null for the server's default. */
  private Run newRun(String artifactLocation) {
    String name = TestClients.unique("artifacts");
    Experiment exp =
        artifactLocation == null
            ? mlflow.tracking().getOrCreateExperiment(name)
            : mlflow.tracking().getOrCreateExperiment(name, artifactLocation);
    return mlflow
        .tracking()
        .createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build());
  }

  /** Uploads a tree as "model" and a single file, checks listings, downloads, compares bytes. */
  private void roundTrip(Run run) throws IOException {
    String root = run.info().artifactUri();
    Path src = tmp.resolve("src");
    byte[] big = new byte[6 * 1024 * 1024 + 17];
    new Random(42).nextBytes(big);
    write(src.resolve("weights/params.bin"), big);
    write(src.resolve("spec/a b.json"), "{\"layers\": [64, 32]}".getBytes(StandardCharsets.UTF_8));
    write(
        src.resolve("spec/nested/deeper/schema.txt"), "x:double".getBytes(StandardCharsets.UTF_8));
    write(src.resolve("MLmodel"), "flavors: {}\n".getBytes(StandardCharsets.UTF_8));
    write(src.resolve("empty.txt"), new byte[0]);
    Path report = tmp.resolve("report.txt");
    Files.writeString(report, "accuracy 0.9\n");

    assertEquals(5, mlflow.artifacts().upload(root, src, "model"));
    assertEquals(1, mlflow.artifacts().upload(root, report, "reports/eval.txt"));

    List<ArtifactFile> top = mlflow.artifacts().list(root, "");
    assertEquals(List.of("model", "reports"), top.stream().map(ArtifactFile::path).toList());
    assertTrue(top.stream().allMatch(ArtifactFile::isDirectory));
    List<ArtifactFile> model = mlflow.artifacts().list(root, "model");
    assertEquals(
        List.of("model/MLmodel", "model/empty.txt", "model/spec", "model/weights"),
        model.stream().map(ArtifactFile::path).sorted().toList());
    ArtifactFile params =
        mlflow.artifacts().list(root, "model/weights").stream().findFirst().orElseThrow();
    assertEquals("model/weights/params.bin", params.path());
    assertEquals(big.length, params.size().orElseThrow());
    assertEquals(5, mlflow.artifacts().listFiles(root, "model").size());

    // The tracking server sees the same files (its own listing, not ours).
    List<String> serverSide = serverListing(run.runId(), "model/spec");
    assertTrue(serverSide.contains("model/spec/a b.json"), serverSide.toString());
    assertTrue(serverSide.contains("model/spec/nested"), serverSide.toString());

    Path out = tmp.resolve("out");
    assertEquals(out, mlflow.artifacts().download(root, "model", out));
    assertSameTree(src, out);

    Path single = tmp.resolve("single/eval.txt");
    mlflow.artifacts().download(root, "reports/eval.txt", single);
    assertEquals("accuracy 0.9\n", Files.readString(single));

    Path all = tmp.resolve("all");
    mlflow.artifacts().download(root, "", all);
    assertSameTree(src, all.resolve("model"));
    assertArrayEquals(
        Files.readAllBytes(report), Files.readAllBytes(all.resolve("reports/eval.txt")));

    // Uploading again replaces (a retried activity must not fail or duplicate).
    Files.writeString(report, "accuracy 0.95\n");
    mlflow.artifacts().upload(root, report, "reports/eval.txt");
    mlflow.artifacts().download(root, "reports/eval.txt", single);
    assertEquals("accuracy 0.95\n", Files.readString(single));
  }

  private List<String> serverListing(String runId, String path) throws IOException {
    URI uri =
        URI.create(
            server.trackingUri()
                + "/api/2.0/mlflow/artifacts/list?run_id="
                + runId
                + "&path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      List<String> paths = new ArrayList<>();
      for (JsonNode f : new ObjectMapper().readTree(r.body()).path("files")) {
        paths.add(f.path("path").asText());
      }
      return paths;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  private static void assertSameTree(Path expected, Path actual) throws IOException {
    assertEquals(files(expected), files(actual));
    for (String rel : files(expected)) {
      assertEquals(
          -1L, Files.mismatch(expected.resolve(rel), actual.resolve(rel)), "content of " + rel);
    }
  }

  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static S3Client s3Client(S3Server s3) {
    return S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(s3.endpoint())
        .region(Region.of(s3.region()))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey())))
        .build();
  }
}
