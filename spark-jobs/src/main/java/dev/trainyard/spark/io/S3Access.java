package dev.trainyard.spark.io;

import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;

/**
 * How Spark and Hadoop reach S3 for {@code s3://} and {@code s3a://} datasets and outputs (both
 * through Hadoop's S3A file system).
 *
 * <p>{@code endpoint} overrides the AWS endpoint (S3Proxy, MinIO, ...; {@code null}: AWS for the
 * region). {@code region} may be {@code null} (the SDK's region chain). {@code pathStyle} asks for
 * {@code endpoint/bucket/key} addressing, which S3Proxy and most S3-compatible stores need. With
 * {@code accessKeyId} and {@code secretAccessKey} (both or neither) S3A uses exactly those keys;
 * without them the standard AWS chain: {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}
 * ({@code AWS_SESSION_TOKEN}), Java system properties, web identity, {@code AWS_PROFILE} and {@code
 * ~/.aws}, container and instance roles.
 *
 * <p>The secret never appears in {@link #toString()}, error messages or anything else this class
 * produces; error messages also mask the key id.
 */
public record S3Access(
    URI endpoint, String region, boolean pathStyle, String accessKeyId, String secretAccessKey) {

  /** S3A's own file system, also registered for {@code s3://}. */
  static final String S3A_FS = "org.apache.hadoop.fs.s3a.S3AFileSystem";

  /** Keys, then the SDK's default chain (environment, profiles, web identity, roles). */
  static final String DEFAULT_CHAIN =
      "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider,"
          + "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider,"
          + "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider";

  static final String EXPLICIT_KEYS = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider";

  private static final String MASK = "****";

  public S3Access {
    if (region != null && region.isBlank()) {
      region = null;
    }
    if (accessKeyId != null && accessKeyId.isBlank()) {
      accessKeyId = null;
    }
    if (secretAccessKey != null && secretAccessKey.isBlank()) {
      secretAccessKey = null;
    }
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException(
          "S3 credentials need both an access key id and a secret access key (or neither, for"
              + " the standard AWS chain)");
    }
    if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
      throw new IllegalArgumentException(
          "S3 endpoint '" + endpoint + "' is not a URL like http://127.0.0.1:9000");
    }
  }

  /** AWS itself: endpoint and region from the SDK, credentials from the standard AWS chain. */
  public static S3Access defaultChain() {
    return new S3Access(null, null, false, null, null);
  }

  /**
   * An endpoint with explicit keys ({@code null} keys: the standard AWS chain). Path-style
   * addressing unless the endpoint is AWS's own ({@code *.amazonaws.com}).
   */
  public static S3Access of(
      URI endpoint, String region, String accessKeyId, String secretAccessKey) {
    boolean aws =
        endpoint == null
            || (endpoint.getHost() != null
                && endpoint.getHost().toLowerCase(Locale.ROOT).endsWith(".amazonaws.com"));
    return new S3Access(endpoint, region, !aws, accessKeyId, secretAccessKey);
  }

  public boolean hasExplicitCredentials() {
    return accessKeyId != null;
  }

  /**
   * The Hadoop settings, without a prefix: {@code s3://} mapped to S3A, endpoint, region, path
   * style, TLS from the endpoint's scheme, credentials or the default chain.
   */
  public Map<String, String> hadoopSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("fs.s3.impl", S3A_FS);
    s.put("fs.AbstractFileSystem.s3.impl", "org.apache.hadoop.fs.s3a.S3A");
    if (endpoint != null) {
      s.put("fs.s3a.endpoint", endpoint.toString());
      s.put(
          "fs.s3a.connection.ssl.enabled",
          String.valueOf(!"http".equalsIgnoreCase(endpoint.getScheme())));
      if (isLoopback(endpoint.getHost())) {
        // A store on this machine (the local stack's S3Proxy) that refuses connections is down,
        // not busy: fail in seconds instead of S3A's minutes of back-off (measured: ~3.5 s
        // instead of ~140 s); Temporal retries the activity.
        s.put("fs.s3a.retry.limit", "2");
        s.put("fs.s3a.attempts.maximum", "1");
      }
    }
    if (region != null) {
      s.put("fs.s3a.endpoint.region", region);
    }
    s.put("fs.s3a.path.style.access", String.valueOf(pathStyle));
    if (accessKeyId != null) {
      s.put("fs.s3a.aws.credentials.provider", EXPLICIT_KEYS);
      s.put("fs.s3a.access.key", accessKeyId);
      s.put("fs.s3a.secret.key", secretAccessKey);
    } else {
      s.put("fs.s3a.aws.credentials.provider", DEFAULT_CHAIN);
    }
    return s;
  }

  /**
   * Applies {@link #hadoopSettings()} to {@code conf}; without explicit keys, earlier {@code
   * fs.s3a.access.key}/{@code secret.key} settings are removed so the chain decides.
   */
  public Configuration applyTo(Configuration conf) {
    hadoopSettings().forEach(conf::set);
    if (endpoint == null) {
      conf.unset("fs.s3a.endpoint");
    }
    if (region == null) {
      conf.unset("fs.s3a.endpoint.region");
    }
    if (accessKeyId == null) {
      conf.unset("fs.s3a.access.key");
      conf.unset("fs.s3a.secret.key");
    }
    return conf;
  }

  /**
   * What every configuration gets when no {@link S3Access} was given: {@code s3://} served by S3A
   * and the standard AWS chain, each only where {@code conf} does not already say otherwise (e.g.
   * {@code spark.hadoop.fs.s3a.*} under {@code spark-submit}).
   */
  static Configuration applyDefaults(Configuration conf) {
    setIfUnset(conf, "fs.s3.impl", S3A_FS);
    setIfUnset(conf, "fs.AbstractFileSystem.s3.impl", "org.apache.hadoop.fs.s3a.S3A");
    setIfUnset(conf, "fs.s3a.aws.credentials.provider", DEFAULT_CHAIN);
    return conf;
  }

  private static void setIfUnset(Configuration conf, String key, String value) {
    String[] sources = conf.getPropertySources(key);
    boolean onlyDefaults = true;
    if (sources != null) {
      for (String source : sources) {
        onlyDefaults &= source.endsWith("-default.xml");
      }
    }
    if (conf.get(key) == null || onlyDefaults) {
      conf.set(key, value);
    }
  }

  /** A fresh Hadoop configuration with these settings. */
  public Configuration hadoopConfiguration() {
    return applyTo(new Configuration());
  }

  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }

  /** Whether {@code uri} is one S3A serves ({@code s3://} or {@code s3a://}). */
  static boolean isS3(String uri) {
    String lower = uri.toLowerCase(Locale.ROOT);
    return lower.startsWith("s3://") || lower.startsWith("s3a://");
  }

  /**
   * Where requests for {@code uri} go, as a user can recognize it: the endpoint (per-bucket {@code
   * fs.s3a.bucket.NAME.endpoint} first), else "AWS S3" with the region.
   */
  static String describeEndpoint(String uri, Configuration conf) {
    String bucket = URI.create(uri.replace(" ", "%20")).getHost();
    String endpoint =
        bucket == null ? null : conf.getTrimmed("fs.s3a.bucket." + bucket + ".endpoint");
    if (endpoint == null || endpoint.isEmpty()) {
      endpoint = conf.getTrimmed("fs.s3a.endpoint");
    }
    if (endpoint != null && !endpoint.isEmpty()) {
      return "S3 endpoint " + endpoint;
    }
    String region = conf.getTrimmed("fs.s3a.endpoint.region");
    return "AWS S3" + (region == null || region.isEmpty() ? "" : " (region " + region + ")");
  }

  /**
   * A message for a failed S3 call on {@code uri} a user can act on: what was refused, by which
   * endpoint, and which settings to check. {@code null} when the failure is not one of access
   * (denied, no or wrong credentials). Key id and secret are masked wherever they occur.
   */
  static String accessProblem(String uri, Throwable failure, Configuration conf) {
    if (!isS3(uri) || !isAccessFailure(failure)) {
      return null;
    }
    return "access to "
        + uri
        + " was refused by "
        + describeEndpoint(uri, conf)
        + ": "
        + redact(InputData.rootMessage(failure), conf)
        + ". Check the S3 credentials: the keys configured for the worker (the local stack's are"
        + " generated for it), else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and"
        + " AWS_SESSION_TOKEN), AWS_PROFILE or the instance role; and that they may read and"
        + " write this bucket";
  }

  /** A one-line cause for any failure on {@code uri}, with credentials masked. */
  static String cause(String uri, Throwable failure, Configuration conf) {
    String access = accessProblem(uri, failure, conf);
    if (access != null) {
      return access;
    }
    String root = redact(InputData.rootMessage(failure), conf);
    return isS3(uri) ? root + " (" + describeEndpoint(uri, conf) + ")" : root;
  }

  /** Whether the failure says the bucket itself does not exist. */
  static boolean isMissingBucket(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t.getClass().getName().endsWith("UnknownStoreException")
          || message.contains("NoSuchBucket")
          || message.contains("bucket does not exist")) {
        return true;
      }
    }
    return false;
  }

  static boolean isAccessFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getName();
      String message = String.valueOf(t.getMessage());
      if (t instanceof AccessDeniedException
          || name.endsWith("NoAuthWithAWSException")
          || name.endsWith("AWSCredentialProviderList$NoAuthWithAWSException")
          || message.contains("Status Code: 403")
          || message.contains("InvalidAccessKeyId")
          || message.contains("SignatureDoesNotMatch")
          || message.contains("Unable to load credentials")) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every configured key id and secret (global or per bucket) masked. */
  static String redact(String text, Configuration conf) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (Map.Entry<String, String> e : conf) {
      String key = e.getKey();
      if (key.startsWith("fs.s3a.")
          && (key.endsWith(".access.key")
              || key.endsWith(".secret.key")
              || key.endsWith(".session.token"))) {
        String value = conf.getTrimmed(key);
        if (value != null && value.length() >= 4) {
          out = out.replace(value, MASK);
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "S3Access[endpoint="
        + (endpoint == null ? "AWS" : endpoint)
        + ", region="
        + Objects.requireNonNullElse(region, "default")
        + ", pathStyle="
        + pathStyle
        + ", credentials="
        + (hasExplicitCredentials() ? "explicit" : "default chain")
        + "]";
  }
}
