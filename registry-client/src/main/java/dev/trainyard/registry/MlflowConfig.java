package dev.trainyard.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the MLflow tracking server is, how to authenticate to it, and how to reach S3 for {@code
 * s3://} artifacts. {@link #toString()} never shows a credential.
 */
public final class MlflowConfig {
  private final URI trackingUri;
  private final String token;
  private final String username;
  private final String password;
  private final S3Settings s3;
  private final Duration connectTimeout;
  private final Duration requestTimeout;

  private MlflowConfig(Builder b) {
    this.trackingUri = b.trackingUri;
    this.token = b.token;
    this.username = b.username;
    this.password = b.password;
    this.s3 = b.s3;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A config for an unauthenticated server; S3 settings from the process environment. */
  public static MlflowConfig of(URI trackingUri) {
    return builder().setTrackingUri(trackingUri).build();
  }

  /**
   * A config for {@code trackingUri} with the optional parts read from {@code env}: {@code
   * MLFLOW_TRACKING_TOKEN} (bearer) or {@code MLFLOW_TRACKING_USERNAME} + {@code
   * MLFLOW_TRACKING_PASSWORD} (basic), and the S3 settings of {@link S3Settings#fromEnvironment}.
   */
  public static MlflowConfig fromEnvironment(URI trackingUri, Map<String, String> env) {
    Builder b = builder().setTrackingUri(trackingUri).optS3(S3Settings.fromEnvironment(env));
    S3Settings.firstSet(env, "MLFLOW_TRACKING_TOKEN").ifPresent(b::optToken);
    Optional<String> user = S3Settings.firstSet(env, "MLFLOW_TRACKING_USERNAME");
    Optional<String> pass = S3Settings.firstSet(env, "MLFLOW_TRACKING_PASSWORD");
    if (user.isPresent() && pass.isPresent()) {
      b.optBasicAuth(user.get(), pass.get());
    }
    return b.build();
  }

  public URI trackingUri() {
    return trackingUri;
  }

  public S3Settings s3() {
    return s3;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The {@code Authorization} header value, if any credentials were configured. */
  Optional<String> authorizationHeader() {
    if (token != null) {
      return Optional.of("Bearer " + token);
    }
    if (username != null) {
      String pair = username + ":" + password;
      return Optional.of(
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    String auth = token != null ? "bearer token" : username != null ? "basic" : "none";
    return "MlflowConfig{trackingUri=" + trackingUri + ", auth=" + auth + ", s3=" + s3 + '}';
  }

  /** {@code setTrackingUri} is required; the rest ({@code optX}) have defaults. */
  public static final class Builder {
    private URI trackingUri;
    private String token;
    private String username;
    private String password;
    private S3Settings s3;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** The tracking server, e.g. {@code http://127.0.0.1:5000} (the app's MLFLOW_TRACKING_URI). */
    public Builder setTrackingUri(URI trackingUri) {
      this.trackingUri = Objects.requireNonNull(trackingUri, "trackingUri");
      return this;
    }

    public Builder optToken(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    public Builder optBasicAuth(String username, String password) {
      this.username = Objects.requireNonNull(username, "username");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    public Builder optS3(S3Settings s3) {
      this.s3 = Objects.requireNonNull(s3, "s3");
      return this;
    }

    public Builder optConnectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Timeout for one JSON call; artifact transfers are limited by progress, not by this. */
    public Builder optRequestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public MlflowConfig build() {
      if (trackingUri == null) {
        throw new IllegalArgumentException(
            "MLflow tracking URI is required: pass MLFLOW_TRACKING_URI, e.g. http://127.0.0.1:5000");
      }
      String scheme = trackingUri.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException(
            "MLflow tracking URI must be http:// or https://, got '"
                + trackingUri
                + "' (this client talks to a tracking server, not to a local mlruns folder)");
      }
      if (s3 == null) {
        s3 = S3Settings.fromEnvironment(System.getenv());
      }
      return new MlflowConfig(this);
    }
  }
}
