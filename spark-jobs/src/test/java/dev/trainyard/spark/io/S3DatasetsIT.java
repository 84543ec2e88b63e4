package dev.trainyard.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureJobTest;
import dev.trainyard.spark.features.FeatureResult;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.spark.validation.ValidationRules;
import dev.trainyard.testing.S3Extension;
import dev.trainyard.testing.S3Server;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The Spark steps on {@code s3://} and {@code s3a://} datasets through Hadoop S3A, against a real
 * S3Proxy: Parquet uploaded with the AWS SDK is validated, featurized and fingerprinted; outputs
 * are published with {@code _SUCCESS} and no staging leftovers; a missing path and wrong
 * credentials give errors a user can act on.
 */
@ExtendWith(S3Extension.class)
class S3DatasetsIT {
  @TempDir static Path dir;
  static S3Server s3;
  static S3Client client;
  static SparkSession spark;
  static String prefix;
  static Path localAnimals;

  @BeforeAll
  static void start(S3Server server) throws Exception {
    s3 = server;
    SparkSessions.useS3(
        S3Access.of(
            server.endpoint(), server.region(), server.accessKeyId(), server.secretAccessKey()));
    spark = SparkSessions.local();
    client =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .region(Region.of(server.region()))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
            .build();
    prefix = "spark-it-" + UUID.randomUUID();
    localAnimals = Path.of(URI.create(TestData.parquet(dir, "animals", FeatureJobTest.animals())));
    upload(localAnimals, prefix + "/animals");
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  /** Every file under {@code local} (Spark's {@code _SUCCESS} and {@code .crc} files too). */
  static void upload(Path local, String keyPrefix) throws Exception {
    try (Stream<Path> files = Files.walk(local)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String key = keyPrefix + "/" + local.relativize(file).toString().replace('\\', '/');
        client.putObject(b -> b.bucket(s3.lakeBucket()).key(key), RequestBody.fromFile(file));
      }
    }
  }

  static List<String> keys(String keyPrefix) {
    return client
        .listObjectsV2Paginator(b -> b.bucket(s3.lakeBucket()).prefix(keyPrefix + "/"))
        .contents()
        .stream()
        .map(S3Object::key)
        .map(k -> k.substring(keyPrefix.length() + 1))
        .sorted()
        .toList();
  }

  static String s3(String path) {
    return "s3://" + s3.lakeBucket() + "/" + prefix + "/" + path;
  }

  @Test
  void validatesFeaturizesAndFingerprintsParquetFromS3() {
    String uri = s3("animals");

    ValidationReport report =
        DataValidation.validate(
            spark,
            DatasetInput.parquet(uri),
            FeatureJobTest.COLUMNS,
            ValidationRules.defaults(),
            null);
    assertThat(report.rows()).isEqualTo(300);
    assertThat(report.columns()).containsKeys("x1", "x2", "color", "size", "species");

    // Features read from s3:// and written to s3a:// (the same bucket, either scheme).
    String features = "s3a://" + s3.lakeBucket() + "/" + prefix + "/features";
    FeatureResult fromS3 =
        FeatureJob.fitAndWrite(
            spark,
            DatasetInput.parquet(uri),
            FeatureJobTest.COLUMNS,
            FeatureJobTest.SPLIT,
            features);
    FeatureResult fromDisk =
        FeatureJob.fitAndWrite(
            spark,
            DatasetInput.parquet(localAnimals.toUri().toString()),
            FeatureJobTest.COLUMNS,
            FeatureJobTest.SPLIT,
            dir.resolve("features").toUri().toString());
    assertThat(fromS3.trainRows()).isEqualTo(fromDisk.trainRows());
    assertThat(fromS3.validationRows()).isEqualTo(fromDisk.validationRows());
    assertThat(fromS3.testRows()).isEqualTo(fromDisk.testRows());
    assertThat(fromS3.featureNames()).isEqualTo(fromDisk.featureNames());
    assertThat(spark.read().parquet(features + "/train").count()).isEqualTo(fromS3.trainRows());
    assertThat(FeatureJob.readManifest(spark, features).featureNames())
        .isEqualTo(fromS3.featureNames());
    List<String> written = keys(prefix + "/features");
    assertThat(written).contains("_SUCCESS", "features.json").anyMatch(k -> k.startsWith("train/"));
    assertThat(keys(prefix)).noneMatch(k -> k.contains(".staging-") || k.contains("_temporary"));

    // Same bytes under the same relative paths: the same fingerprint as on local disk.
    DatasetFingerprint onS3 = Fingerprints.of(uri);
    DatasetFingerprint onDisk = Fingerprints.of(localAnimals.toString());
    assertThat(onS3).isEqualTo(onDisk);
    assertThat(onS3.files()).isEqualTo(2);
    assertThat(Fingerprints.of(s3("animals").replace("s3://", "s3a://"))).isEqualTo(onDisk);
  }

  @Test
  void withoutKeysTheStandardAwsChainFindsThem() {
    // The SDK's chain reads Java system properties before AWS_* variables, profiles and roles.
    System.setProperty("aws.accessKeyId", s3.accessKeyId());
    System.setProperty("aws.secretAccessKey", s3.secretAccessKey());
    try {
      Configuration conf =
          S3Access.of(s3.endpoint(), s3.region(), null, null).hadoopConfiguration();
      // Not the session's cached file system, which has the explicit keys.
      conf.setBoolean("fs.s3.impl.disable.cache", true);
      assertThat(conf.get("fs.s3a.access.key")).isNull();
      assertThat(conf.get("fs.s3a.aws.credentials.provider")).isEqualTo(S3Access.DEFAULT_CHAIN);

      assertThat(Fingerprints.viaHadoop(s3("animals"), conf))
          .isEqualTo(Fingerprints.of(localAnimals.toString()));
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  void publishLeavesExactlyTheOutputAndSuccessAndReplacesOnRetry() {
    String out = s3("scored");
    Outputs.publish(
        spark, out, staging -> TestData.rows(50, "id").coalesce(2).write().parquet(staging + "/"));
    List<String> first = keys(prefix + "/scored");
    assertThat(first).contains("_SUCCESS", "_trainyard.json");
    assertThat(first.stream().filter(k -> !k.equals("_SUCCESS") && !k.equals("_trainyard.json")))
        .isNotEmpty()
        .allMatch(k -> k.startsWith("part-") && k.endsWith(".parquet"));
    assertThat(spark.read().parquet(out).count()).isEqualTo(50);

    // A retry replaces the output: none of the first run's part files remain.
    Outputs.publish(
        spark, out, staging -> TestData.rows(7, "id").coalesce(1).write().parquet(staging));
    List<String> second = keys(prefix + "/scored");
    assertThat(second).contains("_SUCCESS").doesNotContainAnyElementsOf(partFiles(first));
    assertThat(spark.read().parquet(out).count()).isEqualTo(7);

    // A failed write publishes nothing and leaves the earlier output as it was.
    assertThatThrownBy(
            () ->
                Outputs.publish(
                    spark,
                    out,
                    staging -> {
                      TestData.rows(3, "id").write().mode(SaveMode.Overwrite).parquet(staging);
                      throw new IllegalStateException("the job failed half way");
                    }))
        .hasMessage("the job failed half way");
    assertThat(keys(prefix + "/scored")).isEqualTo(second);
    assertThat(spark.read().parquet(out).count()).isEqualTo(7);

    // Nothing but the published output under the prefix: no staging or temporary directories.
    assertThat(keys(prefix).stream().filter(k -> k.startsWith(".") || k.contains("_temporary")))
        .isEmpty();
    assertThat(keys(prefix).stream().filter(k -> k.startsWith("scored/"))).hasSize(second.size());
  }

  private static List<String> partFiles(List<String> keys) {
    return keys.stream().filter(k -> k.startsWith("part-")).toList();
  }

  @Test
  void aMissingS3PathIsAClearError() {
    String missing = s3("no-such-dataset");
    assertThatThrownBy(
            () ->
                DataValidation.validate(
                    spark,
                    DatasetInput.parquet(missing),
                    FeatureJobTest.COLUMNS,
                    ValidationRules.defaults(),
                    null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("dataset not found: " + missing + " does not exist")
        .hasMessageContaining(s3.endpoint().toString())
        .hasMessageContaining("Check the URI");
    assertThatThrownBy(() -> Fingerprints.of(missing))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining(missing + ": it does not exist");

    String noBucket = "s3://trainyard-no-such-bucket/data";
    assertThatThrownBy(
            () ->
                DataValidation.validate(
                    spark,
                    DatasetInput.parquet(noBucket),
                    FeatureJobTest.COLUMNS,
                    ValidationRules.defaults(),
                    null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining(
            "dataset not found: "
                + noBucket
                + " does not exist: its bucket trainyard-no-such-bucket does not exist on S3"
                + " endpoint "
                + s3.endpoint());
  }

  @Test
  void wrongCredentialsAreAClearErrorThatNamesTheEndpointButNotTheSecret() {
    // A bucket with its own (wrong) keys: S3A's per-bucket settings, so this session's other
    // buckets keep working.
    String bucket = "trainyard-denied";
    String keyId = "WRONGKEYID0123456789";
    String secret = "wrong-secret-" + UUID.randomUUID();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set("fs.s3a.bucket." + bucket + ".access.key", keyId);
    conf.set("fs.s3a.bucket." + bucket + ".secret.key", secret);
    String uri = "s3://" + bucket + "/data";

    assertThatThrownBy(
            () ->
                DataValidation.validate(
                    spark,
                    DatasetInput.parquet(uri),
                    FeatureJobTest.COLUMNS,
                    ValidationRules.defaults(),
                    null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("access to " + uri + " was refused by S3 endpoint " + s3.endpoint())
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(secret))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyId));
    assertThatThrownBy(() -> Fingerprints.of(uri))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(s3.endpoint().toString())
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret).doesNotContain(keyId));
    assertThatThrownBy(
            () ->
                Outputs.publish(
                    spark,
                    uri + "-out",
                    staging -> TestData.rows(3, "id").write().parquet(staging)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot publish " + uri + "-out: access to")
        .hasMessageContaining("was refused by S3 endpoint " + s3.endpoint())
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(secret))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyId));
  }

  private static String fullText(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }
}
