package dev.trainyard.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecProblemsTest {
  @Test
  void aValidSpecHasNoProblems() {
    assertEquals(List.of(), SpecProblems.of(Specs.binary()));
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsPath() {
    PipelineSpec bad =
        PipelineSpec.builder()
            .setName("churn model")
            .setDataset(new PipelineSpec.Dataset("http://x/data.parquet", "orc"))
            .setLabel("churned")
            .setTask("classification")
            .setFeatures(new PipelineSpec.Features(List.of("age", "age"), List.of("churned"), null))
            .optValidation(
                new PipelineSpec.Validation(
                    10L, 5L, 1.5, null, Map.of("age", List.of(10.0, 1.0)), null, null))
            .optSplit(new PipelineSpec.Split(0.7, 0.2, 0.2, 1L))
            .optModel(
                PipelineSpec.Model.builder()
                    .optType("tree")
                    .optHiddenLayers(List.of(0))
                    .optEpochs(0)
                    .optBatchSize(32)
                    .optLearningRate(-1.0)
                    .optEarlyStoppingPatience(0)
                    .optDevice("tpu")
                    .optSeed(1L)
                    .build())
            .build();

    List<String> problems = SpecProblems.of(bad);

    assertEquals(
        List.of(
            "name: 'churn model' may use letters, digits, '.', '_' and '-' only",
            "dataset.uri: 'http://x/data.parquet' must be a file://, s3:// URI or an absolute path",
            "dataset.format: 'orc' is not one of [csv, parquet]",
            "task: 'classification' is not one of [binary, multiclass, regression]",
            "features.numeric[1]: 'age' is listed more than once",
            "features.categorical[0]: 'churned' is the label; a label cannot be a feature",
            "validation.maxRows: 5 is below minRows 10",
            "validation.maxNullFraction: 1.5 is not between 0 and 1",
            "validation.ranges.age: must be [min, max] with min <= max, got [10.0, 1.0]",
            "split: train + validation + test = 1.1, must be 1 (e.g. 0.7, 0.15, 0.15)",
            "model.type: 'tree' is not one of [linear, mlp]",
            "model.device: 'tpu' is not one of [auto, cpu, gpu]",
            "model.hiddenLayers: every layer size must be a positive integer, got [0]",
            "model.epochs: must be a positive integer, got 0",
            "model.learningRate: -1.0 must be > 0 (typically 1e-4 to 1e-1)",
            "model.earlyStoppingPatience: must be >= 1 epoch",
            "registeredModel: missing (the MLflow registered model name, e.g. churn-classifier)"),
        problems);
  }

  @Test
  void aGateMetricThatTheTaskDoesNotHaveIsNamed() {
    PipelineSpec spec =
        Specs.withGate(
            Specs.binary(),
            new PipelineSpec.Gate(
                Map.of("rmse", new PipelineSpec.Bound(null, 1.0)),
                new PipelineSpec.Improvement("r2", 0.01, null),
                false,
                "tomorrow"));

    List<String> problems = SpecProblems.of(spec);

    assertTrue(
        problems.contains(
            "gate.thresholds.rmse: no such metric for task 'binary' (use one of [roc_auc, pr_auc, accuracy, f1, log_loss])"),
        problems.toString());
    assertTrue(
        problems.contains(
            "gate.minImprovement.metric: no such metric for task 'binary' (use one of [roc_auc, pr_auc, accuracy, f1, log_loss])"));
    assertTrue(
        problems.contains(
            "gate.approvalTimeout: 'tomorrow' is not an ISO-8601 duration (e.g. PT24H)"));
  }

  @Test
  void trialsAreExpandedRepeatablyAndCheckedValueByValue() {
    PipelineSpec.Model base = SpecDefaults.apply(Specs.binary()).model();
    var grid =
        new PipelineSpec.Trials(
            "grid",
            null,
            2,
            Map.of(
                "learningRate",
                List.of(0.01, 0.1),
                "hiddenLayers",
                List.of(List.of(8), List.of(16, 8))));

    List<Trials.Trial> trials = Trials.expand(grid, base);

    assertEquals(4, trials.size());
    assertEquals("hiddenLayers=[8],learningRate=0.01", trials.get(0).name());
    assertEquals(List.of(16, 8), trials.get(3).model().hiddenLayers());
    var random =
        new PipelineSpec.Trials("random", 5, 2, Map.of("learningRate", List.of(0.001, 0.01, 0.1)));
    assertEquals(Trials.expand(random, base), Trials.expand(random, base));
    assertEquals(5, Trials.expand(random, base).size());

    PipelineSpec bad =
        PipelineSpec.builder()
            .setName("x")
            .setDataset(new PipelineSpec.Dataset("/d.parquet", null))
            .setLabel("y")
            .setTask("binary")
            .setFeatures(new PipelineSpec.Features(List.of("a"), null, null))
            .optTrials(
                new PipelineSpec.Trials(
                    "grid",
                    null,
                    0,
                    Map.of("learningRate", List.of("fast"), "dropout", List.of(0.1))))
            .setRegisteredModel("m")
            .build();
    assertEquals(
        List.of(
            "trials.maxParallel: must be a positive integer, got 0",
            "trials.space.dropout: not a tunable model setting ([batchSize, epochs, hiddenLayers, learningRate, type])",
            "trials.space.learningRate[0]: fast is not a valid learningRate"),
        SpecProblems.of(bad).stream().sorted().toList());
  }

  @Test
  void defaultsFillWhatTheSpecLeavesOut() {
    PipelineSpec s = SpecDefaults.apply(Specs.binary());

    assertEquals("parquet", s.dataset().format());
    assertEquals(new PipelineSpec.Split(0.7, 0.15, 0.15, 42L), s.split());
    assertEquals("roc_auc", s.gate().minImprovement().metric());
    assertEquals("PT24H", s.gate().approvalTimeout());
    assertEquals(0.25, s.validation().maxDriftPsi());
    assertEquals(Confidence.DEFAULT, s.gate().confidence());
    assertEquals(0.95, s.gate().confidence().value());
    assertEquals(1000, s.gate().resamples());
    assertEquals(List.of(), s.gate().segments());
  }

  private static PipelineSpec gate(PipelineSpec.Gate.Builder g) {
    return Specs.withGate(Specs.binary(), g.build());
  }

  @Test
  void confidenceOutsideZeroToOneOrNotANumberIsNamedWithItsFix() {
    var base = Specs.binary().gate().toBuilder();
    assertEquals(
        List.of(
            "gate.confidence: 95.0 is outside (0, 1); write e.g. 0.95 for a 95 % interval (not"
                + " 95), or off for the point rule"),
        SpecProblems.of(gate(base.optConfidence(95))));
    assertEquals(
        List.of(
            "gate.confidence: 1.0 is outside (0, 1); write e.g. 0.95 for a 95 % interval (not"
                + " 95), or off for the point rule"),
        SpecProblems.of(gate(base.optConfidence(1.0))));
    assertEquals(
        List.of(
            "gate.confidence: 'high' is not a confidence level; write a number between 0 and 1"
                + " (e.g. 0.95 for a 95 % interval) or off for the point rule"),
        SpecProblems.of(gate(base.optConfidence(Confidence.of("high")))));
    assertEquals(List.of(), SpecProblems.of(gate(base.optConfidence(Confidence.of("off")))));
    assertEquals(List.of(), SpecProblems.of(gate(base.optConfidence(Confidence.of(false)))));
    assertEquals(List.of(), SpecProblems.of(gate(base.optConfidence(0.9))));
  }

  @Test
  void tooFewOrTooManyResamplesAreRefused() {
    var base = Specs.binary().gate().toBuilder();
    assertEquals(
        List.of(
            "gate.resamples: 50 is below 100; use at least 100 (default 1000): fewer resamples"
                + " give interval ends that move with the seed"),
        SpecProblems.of(gate(base.optResamples(50))));
    assertEquals(
        List.of(
            "gate.resamples: 1000000 is above the limit of 100000; lower it (the gate's cost grows"
                + " with resamples × test rows; 1000 to 10000 is plenty)"),
        SpecProblems.of(gate(base.optResamples(1_000_000))));
    assertEquals(List.of(), SpecProblems.of(gate(base.optResamples(100))));
  }

  @Test
  void segmentsMustBeColumnsOfTheSpecWithARegressionLimit() {
    var base = Specs.binary().gate().toBuilder();
    assertEquals(
        List.of(
            "gate.segments[0]: 'regoin' is not a column of the spec; use one of [age, tenure,"
                + " plan, id] (to segment by a column that is not a feature, list it under"
                + " features.keys)",
            "gate.segments[1]: 'churned' is the label; segment by an input column",
            "gate.segments[3]: 'plan' is listed more than once",
            "gate.minRows: 5 is below 10; a segment needs at least 10 test rows to say anything"
                + " (default 100)",
            "gate.maxRegression: -0.1 must be >= 0 (how much worse the challenger may be on a"
                + " segment, e.g. 0.01)"),
        SpecProblems.of(
            gate(
                base.optSegments(List.of("regoin", "churned", "plan", "plan"))
                    .optMinRows(5)
                    .optMaxRegression(-0.1))));
    assertEquals(
        List.of(
            "gate.maxRegression: missing; with gate.segments, say how much worse the challenger"
                + " may be on a segment, in roc_auc units (e.g. 0.01; 0 allows no loss at all)"),
        SpecProblems.of(gate(Specs.binary().gate().toBuilder().optSegments(List.of("plan")))));
    assertEquals(
        List.of(
            "gate.minRows: applies to gate.segments, which lists none; list segment columns or"
                + " remove it"),
        SpecProblems.of(gate(Specs.binary().gate().toBuilder().optMinRows(50))));
    assertEquals(
        List.of(),
        SpecProblems.of(
            gate(
                Specs.binary().gate().toBuilder()
                    .optSegments(List.of("plan", "id"))
                    .optMinRows(50)
                    .optMaxRegression(0.01))));
  }

  @Test
  void transformStepsMustBeOneSelectOverThisAndTheFilterAPredicate() {
    PipelineSpec spec =
        Specs.binary().toBuilder()
            .optTransform(
                List.of(
                    new PipelineSpec.TransformStep("SELECT *, a / b AS r FROM __THIS__;"),
                    new PipelineSpec.TransformStep("  "),
                    new PipelineSpec.TransformStep("SELECT 1 FROM __THIS__; DROP TABLE x"),
                    new PipelineSpec.TransformStep("INSERT INTO t SELECT * FROM __THIS__")))
            .optTrainingFilter(new PipelineSpec.TrainingFilter(" ", 1.5))
            .build();
    assertEquals(
        List.of(
            "transform step 2 (sql): empty; write e.g. sql: SELECT *, a / b AS ratio FROM __THIS__",
            "transform step 3 (sql): holds more than one statement (';'); write a single SELECT …"
                + " FROM __THIS__",
            "transform step 4 (sql): is not a SELECT … FROM __THIS__ ('INSERT INTO t SELECT *"
                + " FROM __THIS__'); a sql step reads the rows as __THIS__, e.g. SELECT *, a / b"
                + " AS ratio FROM __THIS__",
            "trainingFilter.where: missing (a SQL predicate, e.g. arr_delay IS NOT NULL)",
            "trainingFilter.maxRemovedFraction: 1.5 must be between 0 and 1"),
        SpecProblems.of(spec));
  }

  @Test
  void datetimeStepsAndCategoricalEncodingsAreChecked() {
    PipelineSpec base = Specs.binary();
    PipelineSpec.Features f = base.features();
    PipelineSpec spec =
        base.toBuilder()
            .setFeatures(
                new PipelineSpec.Features(
                    f.numeric(),
                    f.categorical(),
                    f.keys(),
                    Map.of(
                        "nope",
                        new PipelineSpec.Encoding(8, null),
                        f.categorical().get(0),
                        new PipelineSpec.Encoding(1, null))))
            .optTransform(
                List.of(
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Datetime("ts", "yyyy-MM-dd", List.of("hour"))),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Datetime(" ", null, List.of("minute")))))
            .build();
    assertEquals(
        List.of(
            "transform step 2 (datetime): column missing (the timestamp, date or string column to"
                + " take parts of)",
            "transform step 2 (datetime): parts [minute] must be some of [dayofweek,"
                + " dayofweek_cyclic, dayofyear, dayofyear_cyclic, hour, hour_cyclic, month,"
                + " month_cyclic]",
            "features.encoding.nope: 'nope' is not in features.categorical",
            "features.encoding." + f.categorical().get(0) + ".hash: 1 must be at least 2 buckets"),
        SpecProblems.of(spec));
  }

  @Test
  void bucketizeTextAndLookupStepsAreCheckedWithTheirPosition() {
    PipelineSpec spec =
        Specs.binary().toBuilder()
            .optTransform(
                List.of(
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Bucketize(
                            "distance", null, List.of(0.0, 1500.0, 500.0), null)),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Bucketize("distance", 10, List.of(1.0), null)),
                    PipelineSpec.TransformStep.of(new PipelineSpec.Text(" ", 0, null)),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Lookup(
                            "carriers.csv", "json", null, List.of("carrier_name"))),
                    new PipelineSpec.TransformStep(
                        "SELECT * FROM __THIS__",
                        null,
                        null,
                        new PipelineSpec.Text("review", 64, null),
                        null),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Bucketize("distance", 10, null, "distance_decile")),
                    PipelineSpec.TransformStep.of(new PipelineSpec.Text("review", 1024, null)),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Lookup(
                            "file:///ref/carriers.parquet",
                            null,
                            "carrier",
                            List.of("carrier_name")))))
            .build();
    assertEquals(
        List.of(
            "transform step 1 (bucketize): edges [0.0, 1500.0, 500.0] must be strictly increasing"
                + " (500.0 follows 1500.0)",
            "transform step 2 (bucketize): give exactly one of quantiles: N (bins of equal size,"
                + " fitted on the training split) or edges: [e1, e2, ...]",
            "transform step 3 (text): column missing (the text column to count terms of)",
            "transform step 3 (text): numFeatures 0 must be between 1 and 1048576 (the width of"
                + " the term-count vector, e.g. 1024)",
            "transform step 4 (lookup): table 'carriers.csv' must be a file://, s3:// URI or an"
                + " absolute path",
            "transform step 4 (lookup): format 'json' is not one of [csv, parquet]",
            "transform step 4 (lookup): key missing (the column the rows and the table share)",
            "transform step 5 (sql): give one of sql, datetime, bucketize, text or lookup per"
                + " step, not several"),
        SpecProblems.of(spec));
  }
}
