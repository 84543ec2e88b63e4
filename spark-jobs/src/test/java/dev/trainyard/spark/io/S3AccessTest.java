package dev.trainyard.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.AccessDeniedException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class S3AccessTest {
  static final String SECRET = "s3cr3t-value-never-printed";

  @Test
  void localEndpointWithKeysMapsS3ToS3aWithPathStyleAndExplicitKeys() {
    S3Access access =
        S3Access.of(URI.create("http://127.0.0.1:9000"), "us-east-1", "AKIDLOCAL", SECRET);
    Configuration conf = access.hadoopConfiguration();

    assertThat(conf.get("fs.s3.impl")).isEqualTo("org.apache.hadoop.fs.s3a.S3AFileSystem");
    assertThat(conf.get("fs.s3a.endpoint")).isEqualTo("http://127.0.0.1:9000");
    assertThat(conf.get("fs.s3a.endpoint.region")).isEqualTo("us-east-1");
    assertThat(conf.getBoolean("fs.s3a.path.style.access", false)).isTrue();
    assertThat(conf.getBoolean("fs.s3a.connection.ssl.enabled", true)).isFalse();
    assertThat(conf.get("fs.s3a.aws.credentials.provider")).isEqualTo(S3Access.EXPLICIT_KEYS);
    assertThat(conf.get("fs.s3a.access.key")).isEqualTo("AKIDLOCAL");
    assertThat(conf.get("fs.s3a.secret.key")).isEqualTo(SECRET);
  }

  @Test
  void awsEndpointIsVirtualHostedAndNoKeysMeansTheStandardChain() {
    S3Access access =
        S3Access.of(URI.create("https://s3.eu-west-1.amazonaws.com"), "eu-west-1", null, null);
    Configuration conf = new Configuration();
    conf.set("fs.s3a.access.key", "left-over");
    access.applyTo(conf);

    assertThat(access.pathStyle()).isFalse();
    assertThat(conf.getBoolean("fs.s3a.connection.ssl.enabled", false)).isTrue();
    assertThat(conf.get("fs.s3a.aws.credentials.provider")).isEqualTo(S3Access.DEFAULT_CHAIN);
    assertThat(conf.get("fs.s3a.access.key")).isNull();
    assertThat(S3Access.defaultChain().hadoopConfiguration().get("fs.s3a.endpoint")).isNull();
  }

  @Test
  void defaultsKeepWhatTheUserConfigured() {
    Configuration conf = new Configuration();
    conf.set("fs.s3a.aws.credentials.provider", "my.Provider");
    S3Access.applyDefaults(conf);
    assertThat(conf.get("fs.s3a.aws.credentials.provider")).isEqualTo("my.Provider");
    assertThat(conf.get("fs.s3.impl")).isEqualTo(S3Access.S3A_FS);

    // Hadoop's built-in default chain (no profiles) is replaced by the SDK's full chain.
    Configuration fresh = S3Access.applyDefaults(new Configuration());
    assertThat(fresh.get("fs.s3a.aws.credentials.provider")).isEqualTo(S3Access.DEFAULT_CHAIN);
  }

  @Test
  void keysComeInPairsAndNeverShowInToString() {
    assertThatThrownBy(() -> S3Access.of(null, null, "AKID", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both");
    S3Access access = S3Access.of(URI.create("http://127.0.0.1:9000"), null, "AKIDLOCAL", SECRET);
    assertThat(access.toString()).doesNotContain(SECRET).doesNotContain("AKIDLOCAL");
  }

  @Test
  void accessProblemsNameTheEndpointAndMaskKeys() {
    Configuration conf =
        S3Access.of(URI.create("http://127.0.0.1:9000"), "us-east-1", "AKIDLOCAL", SECRET)
            .hadoopConfiguration();
    Exception denied =
        new AccessDeniedException(
            "s3a://lake/x: getFileStatus on s3a://lake/x: key AKIDLOCAL / " + SECRET + " denied");

    String message = S3Access.accessProblem("s3://lake/x", denied, conf);

    assertThat(message)
        .startsWith("access to s3://lake/x was refused by S3 endpoint http://127.0.0.1:9000")
        .contains("AWS_ACCESS_KEY_ID")
        .doesNotContain(SECRET)
        .doesNotContain("AKIDLOCAL");
    assertThat(S3Access.accessProblem("file:/tmp/x", denied, conf)).isNull();
    assertThat(S3Access.accessProblem("s3://lake/x", new java.io.IOException("reset"), conf))
        .isNull();
    assertThat(S3Access.cause("s3://lake/x", new java.io.IOException("reset"), conf))
        .isEqualTo("reset (S3 endpoint http://127.0.0.1:9000)");
  }
}
