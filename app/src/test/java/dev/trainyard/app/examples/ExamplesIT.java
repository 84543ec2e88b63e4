package dev.trainyard.app.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.ArtifactFile;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every example in {@code examples/} as a user runs it, through the CLI in its own JVM against the
 * real Temporal dev server, MLflow and S3: its own generator writes the data, {@code trainyard
 * train} takes it to a champion, {@code trainyard score} scores fresh raw rows (no label, none of
 * the derived columns) with it, and a second {@code train} of the same spec is compared with that
 * champion. The spec is the example's own, copied with the test's data, a fresh model name and
 * fewer epochs.
 *
 * <p>To cover a new example, add it to {@link #examples()}. To run some of them only: {@code
 * -Dtrainyard.examples=flights,churn-ratio}.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExamplesIT {
  private static final int TRAIN_ROWS = 4000;
  private static final int SCORE_ROWS = 1500;
  private static final int EPOCHS = 3;

  /**
   * One example folder and what the test needs to know about it.
   *
   * @param name the folder under {@code examples/}
   * @param generator the command that writes its data, with {@code {out}}, {@code {rows}} and
   *     {@code {seed}} filled in; a leading {@code trainyard} runs the CLI
   * @param dataFile the generated file or folder's name (its extension as the spec's format)
   * @param rawLabel input columns scoring rows do not have (the label, or what it is derived from)
   * @param derivedFeatures feature slots the transform makes (names as in {@code features.json}):
   *     none of them is a column of the raw data
   */
  record Example(
      String name,
      List<String> generator,
      String dataFile,
      List<String> rawLabel,
      List<String> derivedFeatures) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Example> examples() {
    String only = System.getProperty("trainyard.examples", "");
    return all().filter(e -> only.isBlank() || List.of(only.split(",")).contains(e.name()));
  }

  private static Stream<Example> all() {
    return Stream.of(
        new Example(
            "flights",
            List.of(
                "python3",
                "examples/flights/generate.py",
                "--rows",
                "{rows}",
                "--seed",
                "{seed}",
                "{out}"),
            "flights.csv",
            List.of("arr_delay"),
            List.of(
                "dep_time_dayofweek",
                "dep_time_month",
                "dep_time_hour_sin",
                "dep_time_hour_cos",
                "route=__other__",
                "fleet_size")),
        new Example(
            "reviews",
            List.of(
                "python3",
                "examples/reviews/generate.py",
                "--rows",
                "{rows}",
                "--seed",
                "{seed}",
                "{out}"),
            "reviews.csv",
            List.of("recommended"),
            List.of("review_terms[0]", "review_terms[1023]")),
        new Example(
            "churn-ratio",
            List.of("trainyard", "demo", "data", "{out}", "--rows", "{rows}", "--seed", "{seed}"),
            "churn.parquet",
            List.of("churned"),
            List.of("charges_per_tenure_month", "support_calls_per_year")));
  }

  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private Map<String, String> env;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    env =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_NAMESPACE", temporal.namespace(),
            "TRAINYARD_TEMPORAL_UI_URL", temporal.uiUri().toString(),
            "MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString(),
            "AWS_ENDPOINT_URL_S3", mlflowServer.s3().endpoint().toString(),
            "AWS_ACCESS_KEY_ID", mlflowServer.s3().accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", mlflowServer.s3().secretAccessKey(),
            "TRAINYARD_STATE_DIR", config.stateDir().toString());
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  @ParameterizedTest(name = "examples/{0}")
  @MethodSource("examples")
  void trainsToAChampionScoresRawRowsAndRetrainsAgainstIt(Example example) throws Exception {
    Path dir = Files.createDirectories(config.stateDir().resolve("examples/" + example.name()));
    Path data = generate(example, dir.resolve(example.dataFile()), TRAIN_ROWS, 21);
    String model = "example-" + example.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> spec = exampleSpec(example);
    spec.put("registeredModel", model);
    @SuppressWarnings("unchecked")
    Map<String, Object> dataset = (Map<String, Object>) spec.get("dataset");
    dataset.put("uri", data.toUri().toString());
    // A lookup step's reference table is written by the generator beside the data, under the
    // spec's file name: point the copy of the spec at that one.
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps =
        (List<Map<String, Object>>) spec.getOrDefault("transform", List.of());
    for (Map<String, Object> step : steps) {
      @SuppressWarnings("unchecked")
      Map<String, Object> lookup = (Map<String, Object>) step.get("lookup");
      if (lookup != null) {
        String table = (String) lookup.get("table");
        Path local = data.resolveSibling(Path.of(URI.create(table)).getFileName());
        assertTrue(Files.exists(local), "the generator wrote no lookup table at " + local);
        lookup.put("table", local.toUri().toString());
      }
    }
    String format = (String) dataset.get("format");
    @SuppressWarnings("unchecked")
    Map<String, Object> modelSection = (Map<String, Object>) spec.get("model");
    modelSection.put("epochs", EPOCHS);
    Path specFile = dir.resolve("pipeline.yaml");
    Files.writeString(specFile, new Yaml().dump(spec));
    @SuppressWarnings("unchecked")
    String key = ((List<String>) ((Map<String, Object>) spec.get("features")).get("keys")).get(0);

    // 1. Train to a champion.
    Cli.Result first = train(specFile, "examples-" + example.name() + "-1");
    assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
    assertThat(first.stdout()).contains("outcome:     promoted " + model + "/1");
    ModelVersion champion = mlflow.registry().getModelVersionByAlias(model, "champion");
    assertEquals("1", champion.version());

    // The transform ran at training: its derived features are slots of the fitted pipeline saved
    // with the version, and its steps are saved in front of the feature stages.
    String artifacts = mlflow.tracking().getRun(champion.runId()).info().artifactUri();
    FeatureManifest manifest =
        FeatureManifest.fromJson(
            Files.readString(
                mlflow
                    .artifacts()
                    .download(artifacts, "model/features.json", dir.resolve("features.json"))));
    assertThat(manifest.featureNames()).containsAll(example.derivedFeatures());
    assertThat(manifest.transformOrNone().steps()).isNotEmpty();
    List<String> files =
        mlflow.artifacts().listFiles(artifacts, "").stream().map(ArtifactFile::path).toList();
    assertThat(files).anyMatch(f -> f.startsWith("model/feature-pipeline/stages/"));

    // 2. Score fresh raw rows: no label (nor what it is derived from), no derived column.
    Path batch = generate(example, dir.resolve("batch-" + example.dataFile()), SCORE_ROWS, 77);
    Set<String> filteredOut = keysTrainingWouldFilter(spec, batch, format, key);
    Path input = withoutColumns(batch, format, example.rawLabel(), dir.resolve("score-input"));
    Path output = dir.resolve("scores");
    Cli.Result scored =
        Cli.run(
            env,
            "score",
            "--model",
            model + "@champion",
            "--input",
            input.toString(),
            "--format",
            format,
            "--output",
            output.toString(),
            "--keys",
            key,
            "--wait");
    assertEquals(0, scored.exitCode(), scored.stdout() + scored.stderr());
    assertThat(scored.stdout()).contains("outcome:     scored with " + model + "/1");
    SparkSession spark = SparkSessions.local();
    Set<String> inputKeys = keys(read(spark, input, format), key);
    Dataset<Row> scores = spark.read().parquet(output.toString());
    assertEquals(SCORE_ROWS, inputKeys.size());
    assertEquals(SCORE_ROWS, scores.count(), "every input row is scored, none quarantined");
    assertEquals(inputKeys, keys(scores, key));
    assertEquals(0, scores.where("prediction IS NULL").count());
    // Rows training leaves out (no label to learn from) are scored like any other.
    assertThat(keys(scores, key)).containsAll(filteredOut);

    // 3. The same spec again: a challenger, evaluated against the champion on the same test rows
    // (the champion's own pipeline applies the transform to them), that cannot beat it.
    Cli.Result second = train(specFile, "examples-" + example.name() + "-2");
    assertEquals(0, second.exitCode(), second.stdout() + second.stderr());
    assertThat(second.stdout()).contains("outcome:     registered " + model + "/2");
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals("2", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
  }

  private Cli.Result train(Path spec, String idPrefix) throws Exception {
    return Cli.run(
        env,
        "train",
        "--pipeline",
        spec.toString(),
        "--wait",
        "--id",
        idPrefix + "-" + UUID.randomUUID());
  }

  /** The example's own spec, as a YAML tree to copy with the test's settings. */
  private static Map<String, Object> exampleSpec(Example example) throws Exception {
    Map<String, Object> spec =
        new Yaml()
            .load(
                Files.readString(
                    PipelineStack.home().resolve("examples/" + example.name() + "/pipeline.yaml")));
    return new LinkedHashMap<>(spec);
  }

  /** Runs the example's generator; the CLI's ({@code trainyard …}) in its own JVM. */
  private Path generate(Example example, Path out, int rows, int seed) throws Exception {
    List<String> args = new ArrayList<>();
    for (String a : example.generator()) {
      args.add(
          a.replace("{out}", out.toString())
              .replace("{rows}", Integer.toString(rows))
              .replace("{seed}", Integer.toString(seed)));
    }
    if (args.get(0).equals("trainyard")) {
      Cli.Result r = Cli.run(env, args.subList(1, args.size()).toArray(String[]::new));
      assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    } else {
      Path log = out.resolveSibling(out.getFileName() + ".log");
      Process p =
          new ProcessBuilder(args)
              .directory(PipelineStack.home().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "generator did not finish: " + args);
      assertEquals(0, p.exitValue(), args + ": " + Files.readString(log));
    }
    assertTrue(Files.exists(out), args + " wrote nothing at " + out);
    return out;
  }

  /**
   * Keys of the rows the spec's training filter leaves out (read as the pipeline reads them). The
   * filter is evaluated on the raw rows, so it must name raw columns only (as the examples' do).
   */
  @SuppressWarnings("unchecked")
  private static Set<String> keysTrainingWouldFilter(
      Map<String, Object> spec, Path batch, String format, String key) {
    Map<String, Object> filter = (Map<String, Object>) spec.get("trainingFilter");
    if (filter == null) {
      return Set.of();
    }
    Dataset<Row> rows = read(SparkSessions.local(), batch, format);
    Set<String> out = keys(rows.where("NOT coalesce(" + filter.get("where") + ", false)"), key);
    assertThat(out).as("the scoring batch has rows training would filter out").isNotEmpty();
    return out;
  }

  /**
   * The batch without {@code drop}, in the same format. CSV is copied as text (every value read as
   * a string and written back unchanged) so the scorer infers the same types training did.
   */
  private static Path withoutColumns(Path batch, String format, List<String> drop, Path out) {
    SparkSession spark = SparkSessions.local();
    Dataset<Row> rows =
        format.equals("csv")
            ? spark.read().option("header", "true").csv(batch.toString())
            : spark.read().parquet(batch.toString());
    for (String c : drop) {
      assertThat(rows.columns()).contains(c);
    }
    Dataset<Row> kept = rows.drop(drop.toArray(String[]::new)).coalesce(1);
    if (format.equals("csv")) {
      kept.write().option("header", "true").csv(out.toString());
    } else {
      kept.write().parquet(out.toString());
    }
    return out;
  }

  private static Dataset<Row> read(SparkSession spark, Path path, String format) {
    return format.equals("csv")
        ? spark.read().option("header", "true").option("inferSchema", "true").csv(path.toString())
        : spark.read().parquet(path.toString());
  }

  private static Set<String> keys(Dataset<Row> rows, String key) {
    return rows
        .select(org.apache.spark.sql.functions.col(key).cast("string"))
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .collect(Collectors.toSet());
  }
}
