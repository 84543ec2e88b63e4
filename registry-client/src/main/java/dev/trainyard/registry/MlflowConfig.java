package dev.trainyard.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private final Path serverCertPath;
  private final boolean insecureTls;

  /**
   * The variables {@link #fromEnvironment} reads, named in error messages so users know what to
   * fix.
   */
  public static final String TOKEN_VAR = "MLFLOW_TRACKING_TOKEN";

  public static final String USERNAME_VAR = "MLFLOW_TRACKING_USERNAME";
  public static final String PASSWORD_VAR = "MLFLOW_TRACKING_PASSWORD";
  public static final String SERVER_CERT_VAR = "MLFLOW_TRACKING_SERVER_CERT_PATH";
  public static final String INSECURE_TLS_VAR = "MLFLOW_TRACKING_INSECURE_TLS";

  /** Which kind of credentials a config carries, for messages that must not show them. */
  enum Auth {
    NONE,
    TOKEN,
    BASIC
  }

  private MlflowConfig(Builder b) {
    this.trackingUri = b.trackingUri;
    this.token = b.token;
    this.username = b.username;
    this.password = b.password;
    this.s3 = b.s3;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.serverCertPath = b.serverCertPath;
    this.insecureTls = b.insecureTls;
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
   * MLFLOW_TRACKING_PASSWORD} (basic), MLflow's TLS settings {@code
   * MLFLOW_TRACKING_SERVER_CERT_PATH} (a PEM CA bundle or certificate to trust instead of the
   * default trust store, as MLflow's Python client hands it to {@code requests}' {@code verify})
   * and {@code MLFLOW_TRACKING_INSECURE_TLS} ({@code true}/{@code 1}: no certificate or host name
   * check), and the S3 settings of {@link S3Settings#fromEnvironment}.
   */
  public static MlflowConfig fromEnvironment(URI trackingUri, Map<String, String> env) {
    Builder b = builder().setTrackingUri(trackingUri).optS3(S3Settings.fromEnvironment(env));
    S3Settings.firstSet(env, TOKEN_VAR).ifPresent(b::optToken);
    Optional<String> user = S3Settings.firstSet(env, USERNAME_VAR);
    Optional<String> pass = S3Settings.firstSet(env, PASSWORD_VAR);
    if (user.isPresent() && pass.isPresent()) {
      b.optBasicAuth(user.get(), pass.get());
    }
    S3Settings.firstSet(env, SERVER_CERT_VAR).map(Path::of).ifPresent(b::optServerCertPath);
    b.optInsecureTls(parseInsecureTls(env.get(INSECURE_TLS_VAR)));
    return b.build();
  }

  /** MLflow's reading of the variable: "true" or "1" in any case is on; unset or blank is off. */
  public static boolean parseInsecureTls(String value) {
    if (value == null || value.isBlank()) {
      return false;
    }
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("1")) {
      return true;
    }
    if (v.equals("false") || v.equals("0")) {
      return false;
    }
    // A typo must not silently leave verification on or off: say which variable is wrong.
    throw new IllegalArgumentException(
        INSECURE_TLS_VAR + " is '" + value + "'; set it to true or false (or unset it)");
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

  /** The CA bundle or certificate to trust for an https tracking URI, if one was given. */
  public Optional<Path> serverCertPath() {
    return Optional.ofNullable(serverCertPath);
  }

  /** Whether TLS certificates and host names go unchecked (MLFLOW_TRACKING_INSECURE_TLS). */
  public boolean insecureTls() {
    return insecureTls;
  }

  Auth auth() {
    return token != null ? Auth.TOKEN : username != null ? Auth.BASIC : Auth.NONE;
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
    String tls =
        insecureTls ? ", tls=insecure" : serverCertPath != null ? ", tls=" + serverCertPath : "";
    return "MlflowConfig{trackingUri=" + trackingUri + ", auth=" + auth + tls + ", s3=" + s3 + '}';
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
    private Path serverCertPath;
    private boolean insecureTls;

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

    /** Trust only the PEM certificates in this file (a CA bundle or the server's own cert). */
    public Builder optServerCertPath(Path pemFile) {
      this.serverCertPath = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** Skip certificate and host name checks: for a test server only; a warning is logged. */
    public Builder optInsecureTls(boolean insecure) {
      this.insecureTls = insecure;
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
      if (insecureTls && serverCertPath != null) {
        // MLflow's own client refuses this pair too: one of them is a mistake.
        throw new IllegalArgumentException(
            INSECURE_TLS_VAR
                + " and "
                + SERVER_CERT_VAR
                + " are both set; set only one (a certificate to trust, or no checks at all)");
      }
      if (serverCertPath != null && !Files.isReadable(serverCertPath)) {
        throw new IllegalArgumentException(
            SERVER_CERT_VAR + " names " + serverCertPath + ", which is not a readable file");
      }
      if (s3 == null) {
        s3 = S3Settings.fromEnvironment(System.getenv());
      }
      return new MlflowConfig(this);
    }
  }
}
