package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ArtifactLocationTest {
  @Test
  void proxiedWithoutAndWithServer() {
    assertEquals(
        new ArtifactLocation.Proxied(null, "1/abc/artifacts"),
        ArtifactLocation.parse("mlflow-artifacts:/1/abc/artifacts"));
    assertEquals(
        new ArtifactLocation.Proxied("mlflow.internal:5000", "1/abc/artifacts"),
        ArtifactLocation.parse("mlflow-artifacts://mlflow.internal:5000/1/abc/artifacts/"));
    assertEquals(
        "mlflow-artifacts:/1/abc/artifacts/model",
        ArtifactLocation.parse("mlflow-artifacts:/1/abc/artifacts").resolve("model/").uri());
  }

  @Test
  void s3BucketAndKey() {
    assertEquals(
        new ArtifactLocation.S3("trainyard-artifacts", "exp/run/artifacts"),
        ArtifactLocation.parse("s3://trainyard-artifacts/exp/run/artifacts"));
    assertEquals(new ArtifactLocation.S3("bucket", ""), ArtifactLocation.parse("s3://bucket"));
    assertEquals(
        new ArtifactLocation.S3("bucket", "a/b/c"),
        ArtifactLocation.parse("s3://bucket/a/").resolve("/b//c/"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactLocation.parse("s3:///key"));
  }

  @Test
  void fileUrisAndBarePaths() {
    assertEquals(
        new ArtifactLocation.Local(Path.of("/tmp/art/1/r/artifacts")),
        ArtifactLocation.parse("file:///tmp/art/1/r/artifacts"));
    assertEquals(
        new ArtifactLocation.Local(Path.of("/tmp/art")), ArtifactLocation.parse("file:/tmp/art"));
    assertEquals(
        new ArtifactLocation.Local(Path.of("/tmp/art")), ArtifactLocation.parse("/tmp/art"));
    assertEquals(
        new ArtifactLocation.Local(Path.of("/tmp/with space")),
        ArtifactLocation.parse("file:///tmp/with%20space"));
    assertThrows(
        IllegalArgumentException.class, () -> ArtifactLocation.parse("file://otherhost/tmp/x"));
  }

  @Test
  void unsupportedOrEmptyUrisAreRejectedWithTheSchemesWeKnow() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArtifactLocation.parse("gs://b/k"));
    assertEquals(true, e.getMessage().contains("mlflow-artifacts:, s3:// and file:"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactLocation.parse(" "));
  }

  @Test
  void relativePathsCannotClimbOutOfTheRoot() {
    assertEquals("a/b", ArtifactPaths.normalize("./a//b/"));
    assertEquals("", ArtifactPaths.normalize("/"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactPaths.normalize("a/../../b"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ArtifactLocation.parse("s3://bucket/root").resolve("../other"));
    assertEquals("a", ArtifactPaths.parent("a/b"));
    assertEquals("", ArtifactPaths.parent("a"));
  }
}
