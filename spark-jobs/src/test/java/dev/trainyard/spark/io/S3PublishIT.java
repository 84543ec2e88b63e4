package dev.trainyard.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.TestData;
import dev.trainyard.testing.S3Extension;
import dev.trainyard.testing.S3Server;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Replacing an output on a real S3 (S3Proxy): the earlier output stays complete and committed
 * ({@code _SUCCESS}, {@code _trainyard.json} listing exactly its files) until the new one is; a
 * publish that fails half way removes only what it added; Trainyard refuses a prefix it did not
 * publish.
 */
@ExtendWith(S3Extension.class)
class S3PublishIT {
  static S3Server s3;
  static S3Client client;
  static SparkSession spark;
  static String prefix;

  @BeforeAll
  static void start(S3Server server) {
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
    prefix = "publish-it-" + UUID.randomUUID();
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  static String uri(String path) {
    return "s3://" + s3.lakeBucket() + "/" + prefix + "/" + path;
  }

  /** Keys under {@code prefix/path/} with their ETags (content digests). */
  static Map<String, String> objects(String path) {
    String p = prefix + "/" + path + "/";
    return client
        .listObjectsV2Paginator(b -> b.bucket(s3.lakeBucket()).prefix(p))
        .contents()
        .stream()
        .collect(
            Collectors.toMap(
                o -> o.key().substring(p.length()),
                S3Object::eTag,
                (a, b) -> a,
                java.util.TreeMap::new));
  }

  static String text(String path) {
    return client
        .getObjectAsBytes(b -> b.bucket(s3.lakeBucket()).key(prefix + "/" + path))
        .asString(StandardCharsets.UTF_8);
  }

  /** Writes {@code files} (relative path → text) into the staging folder through S3A. */
  static Consumer<String> write(Map<String, String> files) {
    return staging -> {
      try {
        FileSystem fs = new Path(staging).getFileSystem(spark.sparkContext().hadoopConfiguration());
        for (var f : files.entrySet()) {
          try (FSDataOutputStream o = fs.create(new Path(staging + "/" + f.getKey()), true)) {
            o.write(f.getValue().getBytes(StandardCharsets.UTF_8));
          }
        }
      } catch (java.io.IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  static PublishMarker marker(String path) {
    return Json.read(text(path + "/" + PublishMarker.NAME), PublishMarker.class);
  }

  @Test
  void aReplaceThatFailsHalfWayLeavesThePreviousOutputCompleteAndCommitted() {
    Publisher by = new Publisher(Publisher.SCORES, "churn", "3", "wf", "run-1");
    // The previous output: Parquet scores plus a small _meta file (hidden from Parquet readers).
    Outputs.publish(
        spark.sparkContext().hadoopConfiguration(),
        uri("scores"),
        by,
        staging -> {
          TestData.rows(40, "id").coalesce(2).write().parquet(staging);
          write(Map.of("_meta", "v1")).accept(staging);
        });
    Map<String, String> previous = objects("scores");
    assertThat(previous).containsKeys("_SUCCESS", "_trainyard.json", "_meta");
    assertThat(marker("scores").paths())
        .contains("_meta")
        .hasSize(previous.size() - 2)
        .allMatch(previous::containsKey);

    // The new output's layout changed: _meta is now a folder. The store cannot put an object
    // under one that is a file, so the copy of _meta/info fails for real, after the part files
    // (which sort first) were copied in.
    assertThatThrownBy(
            () ->
                Outputs.publish(
                    spark.sparkContext().hadoopConfiguration(),
                    uri("scores"),
                    by,
                    staging -> {
                      TestData.rows(7, "id").coalesce(1).write().parquet(staging);
                      write(Map.of("_meta/info", "v2")).accept(staging);
                    }))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot publish " + uri("scores"))
        // S3Proxy's file-system store answers 500: it cannot put an object under a file.
        .satisfies(
            e ->
                assertThat(java.util.Arrays.toString(e.getCause().getStackTrace()))
                    .as("failed while copying in, not while writing the staging folder")
                    .contains("ObjectStorePublish.publish"));

    assertThat(objects("scores")).as("exactly the previous output").isEqualTo(previous);
    assertThat(text("scores/_meta")).isEqualTo("v1");
    assertThat(spark.read().parquet(uri("scores")).count()).isEqualTo(40);
    assertThat(keysUnder(prefix)).noneMatch(k -> k.contains(".staging-"));
  }

  @Test
  void aReplaceSwapsTheFilesTheMarkerListsAndLeavesNothingElse() {
    Publisher by = new Publisher(Publisher.SCORES, "churn", "4", "wf", "run-2");
    var conf = spark.sparkContext().hadoopConfiguration();
    Outputs.publish(
        conf, uri("daily"), by, s -> TestData.rows(30, "id").coalesce(3).write().parquet(s));
    PublishMarker firstMarker = marker("daily");
    Outputs.publish(
        conf, uri("daily"), by, s -> TestData.rows(5, "id").coalesce(1).write().parquet(s));

    Map<String, String> second = objects("daily");
    PublishMarker m = marker("daily");
    assertThat(second.keySet())
        .containsExactlyInAnyOrderElementsOf(
            concat(m.paths(), List.of("_SUCCESS", "_trainyard.json")));
    assertThat(m.paths()).doesNotContainAnyElementsOf(firstMarker.paths());
    assertThat(m.files()).allMatch(f -> f.bytes() > 0);
    assertThat(spark.read().parquet(uri("daily")).count()).isEqualTo(5);
  }

  @Test
  void aPrefixTrainyardDidNotWriteIsRefusedAndKept() {
    String key = prefix + "/theirs/report.csv";
    client.putObject(b -> b.bucket(s3.lakeBucket()).key(key), RequestBody.fromString("a,b\n"));

    assertThatThrownBy(
            () ->
                Outputs.publish(
                    spark.sparkContext().hadoopConfiguration(),
                    uri("theirs"),
                    Publisher.of(Publisher.SCORES),
                    write(Map.of("part-0", "x"))))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("will not publish the scores output to " + uri("theirs"))
        .hasMessageContaining("(report.csv)");
    assertThat(objects("theirs")).containsOnlyKeys("report.csv");
    assertThat(text("theirs/report.csv")).isEqualTo("a,b\n");

    assertThatThrownBy(
            () ->
                Outputs.publish(
                    spark.sparkContext().hadoopConfiguration(),
                    "s3://" + s3.lakeBucket() + "/",
                    Publisher.of(Publisher.SCORES),
                    write(Map.of("part-0", "x"))))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("it is the root of the bucket");
  }

  static List<String> keysUnder(String p) {
    return client
        .listObjectsV2Paginator(b -> b.bucket(s3.lakeBucket()).prefix(p + "/"))
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
