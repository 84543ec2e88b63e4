package dev.trainyard.registry;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach S3 for {@code s3://} artifact URIs. Without an endpoint override the AWS SDK picks
 * the AWS endpoint for the region; without explicit credentials it uses the standard AWS chain
 * (environment, profile, container or instance role).
 */
public final class S3Settings {
  static final String DEFAULT_REGION = "us-east-1";

  private final URI endpoint;
  private final String region;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final boolean pathStyle;

  private S3Settings(Builder b) {
    this.endpoint = b.endpoint;
    this.region = b.region;
    this.accessKeyId = b.accessKeyId;
    this.secretAccessKey = b.secretAccessKey;
    this.pathStyle = b.pathStyle != null ? b.pathStyle : b.endpoint != null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings from the process environment: endpoint from {@code AWS_ENDPOINT_URL_S3}, {@code
   * AWS_ENDPOINT_URL} or MLflow's {@code MLFLOW_S3_ENDPOINT_URL} (path-style addressing when one is
   * set); region from {@code AWS_REGION} or {@code AWS_DEFAULT_REGION} (else us-east-1);
   * credentials from the standard AWS chain.
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    firstSet(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL")
        .map(URI::create)
        .ifPresent(b::optEndpoint);
    firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION").ifPresent(b::optRegion);
    return b.build();
  }

  /** The endpoint override (S3Proxy, MinIO, ...), if any. */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  public String region() {
    return region;
  }

  /** Whether explicit credentials were given (else the AWS default chain applies). */
  public boolean hasExplicitCredentials() {
    return accessKeyId != null;
  }

  String accessKeyId() {
    return accessKeyId;
  }

  String secretAccessKey() {
    return secretAccessKey;
  }

  /** Path-style addressing ({@code endpoint/bucket/key}), the default with an endpoint override. */
  public boolean pathStyle() {
    return pathStyle;
  }

  @Override
  public String toString() {
    // Never the secret; the key id only as "explicit" so logs cannot leak it either.
    return "S3Settings{endpoint="
        + (endpoint == null ? "AWS" : endpoint)
        + ", region="
        + region
        + ", credentials="
        + (hasExplicitCredentials() ? "explicit" : "default chain")
        + ", pathStyle="
        + pathStyle
        + '}';
  }

  static Optional<String> firstSet(Map<String, String> env, String... names) {
    for (String name : names) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return Optional.of(v.strip());
      }
    }
    return Optional.empty();
  }

  /** {@code optX} setters only: every setting has a default. */
  public static final class Builder {
    private URI endpoint;
    private String region = DEFAULT_REGION;
    private String accessKeyId;
    private String secretAccessKey;
    private Boolean pathStyle;

    private Builder() {}

    public Builder optEndpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder optRegion(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    public Builder optCredentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
      this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      return this;
    }

    public Builder optPathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    public S3Settings build() {
      return new S3Settings(this);
    }
  }
}
