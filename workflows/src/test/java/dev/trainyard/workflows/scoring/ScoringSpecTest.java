package dev.trainyard.workflows.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringSpecTest {
  @Test
  void modelReferencesByAliasOrVersion() {
    assertEquals(new ModelRef("churn", "champion", null), ModelRef.parse("churn@champion"));
    assertEquals(new ModelRef("churn-v2.1", null, "12"), ModelRef.parse("churn-v2.1/12"));
    assertEquals("churn@champion", ModelRef.parse("churn@champion").toString());
    for (String bad : List.of("", "churn", "churn@", "@champion", "churn/0", "churn/x", "a/1@b")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ModelRef.parse(bad), bad);
      assertTrue(
          e.getMessage().contains("NAME@ALIAS or NAME/VERSION")
              || e.getMessage().contains("(e.g. churn-classifier/3)"),
          e.getMessage());
    }
  }

  @Test
  void dateTemplatesAndDefaultsResolve() {
    ScoringSpec spec =
        ScoringSpec.of("m@champion", "s3://lake/events/dt={date}/", "/lake/scores/dt={date}/");

    ScoringSpec r = spec.resolved(LocalDate.parse("2026-11-20"));

    assertEquals("s3://lake/events/dt=2026-11-20/", r.input());
    assertEquals("file:///lake/scores/dt=2026-11-20", r.output());
    assertEquals("file:///lake/scores/_quarantine/dt=2026-11-20", r.quarantine());
    assertEquals("parquet", r.format());
    assertEquals(ScoringSpec.DEFAULT_BATCH_SIZE, r.batchSize());
    assertEquals(ScoringSpec.DEFAULT_MAX_QUARANTINE, r.maxQuarantineFraction());
    assertEquals(ScoringSpec.REPLACE, r.ifOutputExists());
    assertEquals("2026-11-20", r.date());
    assertEquals(
        "csv", ScoringSpec.of("m/1", "/in/x.CSV", "/out").resolved(LocalDate.EPOCH).format());
  }

  @Test
  void everyProblemAtOnceWithItsField() {
    ScoringSpec spec =
        new ScoringSpec(
            "m",
            "data/{day}",
            "orc",
            "data/{day}",
            null,
            List.of("id", "id", " "),
            0,
            -1,
            1.5,
            "append",
            "yesterday",
            new ScoringSpec.Retrain(0, null),
            new ScoringSpec.Drift(-0.1, 2.0, 0.0),
            null,
            null);

    List<String> problems = spec.problems();
    for (String expected :
        List.of(
            "model: model reference 'm' is not valid: write NAME@ALIAS (e.g."
                + " churn-classifier@champion) or NAME/VERSION (e.g. churn-classifier/3)",
            "input: unknown placeholder {day} in data/{day}; the only one is {date}",
            "output: is the same as input (data/{day}); write the scores somewhere else",
            "format: 'orc' is not supported; use parquet or csv",
            "keys[1]: 'id' is listed twice",
            "keys[2]: is empty",
            "batchSize: must be positive, got 0",
            "partitions: must be positive, got -1",
            "maxQuarantineFraction: must be within [0, 1], got 1.5",
            "ifOutputExists: 'append' is not one of replace, skip",
            "date: 'yesterday' is not a date like 2026-11-24",
            "retrain.maxPsi: must be positive, got 0.0",
            "retrain.pipeline: is required (the training pipeline spec to run)",
            "drift.maxMissingChange: must be a share within [0, 1], got -0.1",
            "drift.maxUnseenShare: must be a share within [0, 1], got 2.0",
            "drift.maxPredictionPsi: must be positive, got 0.0")) {
      assertTrue(problems.contains(expected), "missing: " + expected + " in " + problems);
    }
    assertTrue(
        problems.stream().anyMatch(p -> p.startsWith("input: 'data/{day}' is a relative path")),
        problems.toString());
    assertEquals(List.of(), ScoringSpec.of("m@champion", "/in", "s3://b/out").problems());
  }

  @Test
  void outputsAndQuarantinesAreComparedAsPlaces() {
    // Fine: apart from the input, and the state folder's lake/ (where the demo scores).
    for (String out :
        List.of("/data/scores", "s3://lake/scores/dt={date}", "/home/u/.trainyard/lake/scores")) {
      assertEquals(List.of(), ScoringSpec.of("m@champion", "/data/in", out).problems(), out);
    }
    ScoringSpec q =
        ScoringSpec.of("m@champion", "/data/in", "/data/out")
            .withOptions(null, "file:///data/out/bad", null, null, null);
    assertEquals(
        List.of(
            "quarantine: file:///data/out/bad is inside the output (file:///data/out); publishing"
                + " replaces the whole folder, so write it to a folder of its own"),
        q.problems());
    ScoringSpec same =
        ScoringSpec.of("m@champion", "/data/in", "/data/out")
            .withOptions(null, "file:/data/out/", null, null, null);
    assertEquals(
        List.of("quarantine: is the same as output (/data/out); leave it out or choose another"),
        same.problems());
    ScoringSpec inInput =
        ScoringSpec.of("m@champion", "s3://b/in", "s3://b/out")
            .withOptions(null, "s3a://b/in/q", null, null, null);
    assertTrue(
        inInput
            .problems()
            .contains(
                "quarantine: s3://b/in/q is inside the input (s3://b/in); publishing replaces the"
                    + " whole folder, so write it to a folder of its own"),
        inInput.problems().toString());
  }
}
