package dev.trainyard.app.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.spec.PipelineSpecFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad pipeline specs: one row per distinct mistake (or attack), each rejected at
 * load with a problem line that names the field and what to do. Add a row for every new way a spec
 * can be wrong. Rule problems are also checked by the workflow itself (see {@code
 * BadSpecWorkflowTest} in workflows), for runs started from the Temporal UI.
 */
class BadSpecCatalogueTest {
  @TempDir Path dir;

  static final String VALID =
      """
      name: churn
      dataset: {uri: "file:///data/churn.parquet"}
      label: churned
      task: binary
      features:
        numeric: [age, tenure]
        categorical: [plan]
        keys: [customer_id]
      split: {train: 0.7, validation: 0.15, test: 0.15}
      validation:
        maxDriftPsi: 0.25
        ranges: {age: [18, 100]}
      model: {type: mlp, hiddenLayers: [32, 16], epochs: 5, batchSize: 256, learningRate: 0.01}
      gate:
        thresholds: {roc_auc: {min: 0.7}}
      registeredModel: churn-classifier
      """;

  /** The 444-byte "billion laughs" of the issue: nine levels of nine aliases, 9^9 leaves. */
  static final String ALIAS_BOMB =
      """
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
      i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
      """;

  /** Within SnakeYAML's default of 50 aliases, yet 2^24 leaves once expanded. */
  static final String NARROW_ALIAS_BOMB =
      "l0: &l0 [x, x]\n"
          + IntStream.rangeClosed(1, 24)
              .mapToObj(i -> "l" + i + ": &l" + i + " [*l" + (i - 1) + ", *l" + (i - 1) + "]")
              .collect(Collectors.joining("\n"))
          + "\n";

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        row(
            "alias bomb (billion laughs)",
            ALIAS_BOMB,
            "(document): more than 20 aliases (*name) to lists or mappings"),
        row(
            "alias bomb within the alias limit",
            NARROW_ALIAS_BOMB,
            "(document): more than 20 aliases (*name) to lists or mappings"),
        row(
            "anchor that contains itself",
            VALID.replace("numeric: [age, tenure]", "numeric: &loop [age, *loop]"),
            "(document): nested deeper than 20 levels"),
        row(
            "nesting too deep",
            VALID + "x: " + "[".repeat(30) + "]".repeat(30) + "\n",
            "(document): nested deeper than 20 levels"),
        row(
            "document too large",
            VALID + "# " + "x".repeat(1_100_000) + "\n",
            "(document): larger than 1000000 bytes"),
        row(
            "duplicate top-level key",
            VALID + "label: plan\n",
            "line 17: 'label' appears twice in the same mapping"),
        row(
            "duplicate nested key",
            VALID.replace("epochs: 5,", "epochs: 5, epochs: 500,"),
            "line 13: 'epochs' appears twice in the same mapping"),
        row(
            "learning rate NaN",
            VALID.replace("learningRate: 0.01", "learningRate: .nan"),
            "model.learningRate: NaN is not a finite number"),
        row(
            "learning rate infinite",
            VALID.replace("learningRate: 0.01", "learningRate: .inf"),
            "model.learningRate: Infinity is not a finite number"),
        row(
            "learning rate overflowing to infinity",
            VALID.replace("learningRate: 0.01", "learningRate: 1e400"),
            "model.learningRate: Infinity is not a finite number"),
        row(
            "split fraction NaN",
            VALID.replace("train: 0.7", "train: .nan"),
            "split.train: NaN is not a finite number"),
        row(
            "range bound NaN",
            VALID.replace("age: [18, 100]", "age: [.nan, 100]"),
            "validation.ranges.age[0]: NaN is not a finite number"),
        row(
            "drift limit minus infinity",
            VALID.replace("maxDriftPsi: 0.25", "maxDriftPsi: -.inf"),
            "validation.maxDriftPsi: -Infinity is not a finite number"),
        row(
            "gate threshold infinite",
            VALID.replace("min: 0.7", "min: .inf"),
            "gate.thresholds.roc_auc.min: Infinity is not a finite number"),
        row(
            "a billion epochs",
            VALID.replace("epochs: 5", "epochs: 1000000000"),
            "model.epochs: 1000000000 is above the limit of 10000"),
        row(
            "epochs beyond a whole number's range",
            VALID.replace("epochs: 5", "epochs: 99999999999"),
            "model.epochs: 99999999999 is too large for a whole number (at most 2147483647)"),
        row(
            "layer of 2^31-1 units",
            VALID.replace("hiddenLayers: [32, 16]", "hiddenLayers: [2147483647]"),
            "model.hiddenLayers[0]: 2147483647 units is above the limit of 16384 per layer"),
        row(
            "too many layers",
            VALID.replace(
                "hiddenLayers: [32, 16]",
                "hiddenLayers: ["
                    + String.join(", ", java.util.Collections.nCopies(65, "4"))
                    + "]"),
            "model.hiddenLayers: 65 layers is above the limit of 64"),
        row(
            "too many parameters",
            VALID.replace("hiddenLayers: [32, 16]", "hiddenLayers: [8192, 8192, 8192]"),
            "model.hiddenLayers: [8192, 8192, 8192] makes about 134,275,073 parameters, above the limit of 50,000,000"),
        row(
            "huge batch",
            VALID.replace("batchSize: 256", "batchSize: 100000000"),
            "model.batchSize: 100000000 is above the limit of 65536"),
        row(
            "100x100 trial grid",
            VALID
                + "trials:\n  strategy: grid\n  space:\n    learningRate: ["
                + numbers(100, i -> "0." + (i + 1))
                + "]\n    batchSize: ["
                + numbers(100, i -> String.valueOf(i + 1))
                + "]\n",
            "trials.space: the grid has 10000 combinations, above the limit of 256 trials"),
        row(
            "100000 random trials",
            VALID + "trials: {strategy: random, count: 100000, space: {learningRate: [0.1]}}\n",
            "trials.count: 100000 is above the limit of 256 trials"),
        row(
            "too many trials at once",
            VALID
                + "trials: {strategy: random, count: 4, maxParallel: 100000, space: {learningRate: [0.1]}}\n",
            "trials.maxParallel: 100000 is above the limit of 32"),
        row(
            "trial space with a billion epochs",
            VALID + "trials: {strategy: grid, space: {epochs: [5, 1000000000]}}\n",
            "trials.space.epochs[1]: 1000000000 is above the limit of 10000"),
        row(
            "trial space with a huge layer",
            VALID + "trials: {strategy: grid, space: {hiddenLayers: [[8], [2147483647]]}}\n",
            "trials.space.hiddenLayers[1][0]: 2147483647 units is above the limit of 16384 per layer"),
        row(
            "trial space learning rate NaN",
            VALID + "trials: {strategy: grid, space: {learningRate: [0.1, .nan]}}\n",
            "trials.space.learningRate[1]: NaN is not a finite number"),
        row(
            "split without its train fraction",
            VALID.replace("train: 0.7, ", ""),
            "split.train: missing"),
        row(
            "unknown model type",
            VALID.replace("type: mlp", "type: tree"),
            "model.type: 'tree' is not one of [linear, mlp]"),
        row(
            "missing label",
            VALID.replace("label: churned\n", ""),
            "label: missing (the column to predict)"),
        row(
            "web URI for the dataset",
            VALID.replace("file:///data/churn.parquet", "http://example.com/churn.parquet"),
            "dataset.uri: 'http://example.com/churn.parquet' must be a file://, s3:// URI or an absolute path"),
        row(
            "relative dataset path",
            VALID.replace("file:///data/churn.parquet", "data/churn.parquet"),
            "dataset.uri: 'data/churn.parquet' must be a file://, s3:// URI or an absolute path"),
        row(
            "label listed as a feature",
            VALID.replace("categorical: [plan]", "categorical: [plan, churned]"),
            "features.categorical[1]: 'churned' is the label; a label cannot be a feature"),
        row(
            "negative epochs",
            VALID.replace("epochs: 5", "epochs: -5"),
            "model.epochs: must be a positive integer, got -5"),
        row("a list, not a mapping", "- name: churn\n", "the document must be a mapping of fields"),
        row("an empty file", "", "the document must be a mapping of fields"),
        row("broken YAML", VALID.replace("[32, 16]", "[32, 16"), "not valid YAML or JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void isRejectedAtLoadNamingTheProblem(String name, String yaml, String expected)
      throws IOException {
    Path file = Files.writeString(dir.resolve("spec.yaml"), yaml);

    var e =
        assertThrows(
            PipelineSpecFile.InvalidSpecException.class, () -> PipelineSpecFile.load(file));

    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(expected));
    assertThat(e.getMessage()).startsWith(file + " has ").contains(expected);
  }

  /** The CLI exits 1 with the problem and no stack trace, in a JVM with a small heap. */
  @Test
  void theCliRejectsAnAliasBombAndANanWithoutRunningOutOfMemory() throws Exception {
    for (Map.Entry<String, String> c :
        Map.of(
                ALIAS_BOMB,
                "(document): more than 20 aliases",
                VALID.replace("learningRate: 0.01", "learningRate: .nan"),
                "model.learningRate: NaN is not a finite number")
            .entrySet()) {
      Path file = Files.writeString(dir.resolve("cli.yaml"), c.getKey());
      ProcessBuilder pb =
          Cli.command(
              Map.of("TRAINYARD_STATE_DIR", dir.resolve("state").toString()),
              "train",
              "--pipeline",
              file.toString());
      pb.command().add(1, "-Xmx256m");
      Path err = dir.resolve("err.txt");
      Process p =
          pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      int rc = p.waitFor();
      String stderr = Files.readString(err);

      assertThat(rc).as(stderr).isEqualTo(1);
      assertThat(stderr).contains("error: " + file + " has ").contains(c.getValue());
      assertThat(stderr).doesNotContain("\tat ");
    }
  }

  private static Arguments row(String name, String yaml, String expected) {
    return Arguments.of(name, yaml, expected);
  }

  private static String numbers(int n, java.util.function.IntFunction<String> f) {
    return String.join(", ", IntStream.range(0, n).mapToObj(f).toList());
  }
}
