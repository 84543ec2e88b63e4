package dev.trainyard.activities.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainyardMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TrainyardMetrics metrics = new TrainyardMetrics(registry);

  @Test
  void rowsAddUpPerPipelineAndModel() {
    metrics.rowsValidated("churn", "m1", 1000);
    metrics.rowsValidated("churn", "m1", 500);
    metrics.rowsValidated("churn", "m2", 7);
    metrics.rowsScored("m1", 100, 98, 2);

    assertEquals(
        1500, registry.get("trainyard.rows.validated").tag("model", "m1").counter().count());
    assertEquals(7, registry.get("trainyard.rows.validated").tag("model", "m2").counter().count());
    assertEquals(100, registry.get("trainyard.rows.scoring.input").counter().count());
    assertEquals(98, registry.get("trainyard.rows.scored").counter().count());
    assertEquals(2, registry.get("trainyard.rows.quarantined").counter().count());
  }

  @Test
  void anEpochRecordsItsTimeSamplesAndThroughput() {
    metrics.epoch("churn", "m1", 700, 2.0, 0.5);
    metrics.epoch("churn", "m1", 700, 1.0, 0.25);

    assertEquals(2, registry.get("trainyard.training.epoch").timer().count());
    assertEquals(
        3.0, registry.get("trainyard.training.epoch").timer().totalTime(TimeUnit.SECONDS), 1e-6);
    assertEquals(1400, registry.get("trainyard.training.samples").counter().count());
    assertEquals(0.75, registry.get("trainyard.training.data.wait").counter().count(), 1e-9);
    assertEquals(
        700.0, registry.get("trainyard.training.samples.per.second").gauge().value(), 1e-9);
  }

  @Test
  void stepsAreTaggedAndMissingNamesReadNone() {
    metrics.step("TrainingPipelineWorkflow", null, "", "FinishPipelineRun", "success", 1_000_000);

    assertEquals(
        1,
        registry
            .get("trainyard.step.duration")
            .tags("pipeline", "none", "model", "none", "step", "FinishPipelineRun")
            .tag("outcome", "success")
            .timer()
            .count());
  }

  @Test
  void modelNamesComeFromReferencesAndSpecs() {
    assertEquals("churn", StepMetricsInterceptor.modelName("churn@champion"));
    assertEquals("churn", StepMetricsInterceptor.modelName("churn/3"));
    assertEquals("churn", StepMetricsInterceptor.modelName("models:/churn@champion"));
    assertEquals("churn", StepMetricsInterceptor.modelName("churn"));
    assertNull(StepMetricsInterceptor.modelName(null));
    assertEquals(
        new StepMetricsInterceptor.Names(null, "churn"),
        StepMetricsInterceptor.names("FindChampion", new Object[] {"churn"}));
    assertEquals(
        new StepMetricsInterceptor.Names(null, "churn"),
        StepMetricsInterceptor.names("ResolveModel", new Object[] {"churn@champion"}));
    assertEquals(
        StepMetricsInterceptor.Names.NONE,
        StepMetricsInterceptor.names("RecordTrials", new Object[] {null, "x"}));
  }
}
