package dev.trainyard.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * A parsed artifact URI, as MLflow gives it for an experiment or run: {@code
 * mlflow-artifacts:/path} (or {@code mlflow-artifacts://host:port/path}) through the tracking
 * server's proxy, {@code s3://bucket/key}, or {@code file:///path} (a bare absolute path counts as
 * {@code file:}).
 */
public sealed interface ArtifactLocation {

  /** This location extended by a relative artifact path. */
  ArtifactLocation resolve(String relativePath);

  /** The location as an MLflow artifact URI. */
  String uri();

  static ArtifactLocation parse(String artifactUri) {
    if (artifactUri == null || artifactUri.isBlank()) {
      throw new IllegalArgumentException("artifact URI is empty");
    }
    String s = artifactUri.strip();
    if (s.startsWith("/")) {
      return new Local(Path.of(s).normalize());
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid artifact URI: '" + s + "'", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    switch (scheme) {
      case "mlflow-artifacts":
        {
          String path = ArtifactPaths.normalize(uri.getPath());
          return new Proxied(uri.getRawAuthority(), path);
        }
      case "s3":
        {
          String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
          if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("s3 artifact URI has no bucket: '" + s + "'");
          }
          return new S3(bucket, ArtifactPaths.normalize(uri.getPath()));
        }
      case "file":
        {
          if (uri.getAuthority() != null && !uri.getAuthority().equals("localhost")) {
            throw new IllegalArgumentException(
                "file artifact URI must be local (file:///path), got '" + s + "'");
          }
          return new Local(Path.of(uri.getPath()).normalize());
        }
      default:
        throw new IllegalArgumentException(
            "unsupported artifact URI scheme '"
                + scheme
                + "' in '"
                + s
                + "': this client handles mlflow-artifacts:, s3:// and file:");
    }
  }

  /**
   * Artifacts behind the tracking server's proxy ({@code mlflow server} with artifact serving).
   * {@code authority} is null when the URI names no server, meaning the tracking server itself.
   */
  record Proxied(String authority, String path) implements ArtifactLocation {
    @Override
    public Proxied resolve(String relativePath) {
      return new Proxied(
          authority, ArtifactPaths.join(path, ArtifactPaths.normalize(relativePath)));
    }

    @Override
    public String uri() {
      return "mlflow-artifacts:" + (authority == null ? "" : "//" + authority) + "/" + path;
    }
  }

  /** An S3 bucket and key prefix (no leading or trailing '/'). */
  record S3(String bucket, String key) implements ArtifactLocation {
    @Override
    public S3 resolve(String relativePath) {
      return new S3(bucket, ArtifactPaths.join(key, ArtifactPaths.normalize(relativePath)));
    }

    @Override
    public String uri() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /** A folder on the local (or a mounted) file system. */
  record Local(Path path) implements ArtifactLocation {
    @Override
    public Local resolve(String relativePath) {
      String rel = ArtifactPaths.normalize(relativePath);
      return new Local(rel.isEmpty() ? path : path.resolve(rel));
    }

    @Override
    public String uri() {
      return path.toUri().toString();
    }
  }
}
