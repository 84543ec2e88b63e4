package dev.trainyard.app.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.trainyard.activities.runtime.OpenLineageEvents;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a pipeline's and a scoring run's OpenLineage events must say: every step START then COMPLETE
 * under its workflow, the outputs of each step the inputs of the next (training data → features →
 * model → registered version → scores), the failing run's step FAIL, and every event valid against
 * the OpenLineage JSON schema.
 */
final class OpenLineageChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The required structure of an OpenLineage RunEvent, abridged from the spec's OpenLineage.json
   * (see its $comment): the official file is in no registry this build can reach.
   */
  static final String SCHEMA = "/openlineage/run-event-core.schema.json";

  private OpenLineageChecks() {}

  /**
   * @param pipelineWorkflowId the training pipeline's workflow id
   * @param trainingData the pipeline's dataset, an absolute local path
   * @param registeredVersion {@code name/version} the pipeline registered and the scoring run used
   * @param scoredOutput where the scoring run wrote, an absolute local path
   * @param failedScoringWorkflowId a scoring run that failed on its input
   */
  record Expect(
      String pipelineWorkflowId,
      String trainingData,
      String registeredVersion,
      String scoredOutput,
      String failedScoringWorkflowId) {}

  /** A dataset by OpenLineage identity. */
  record Name(String namespace, String name) {
    static Name of(JsonNode d) {
      return new Name(d.get("namespace").asText(), d.get("name").asText());
    }
  }

  static void assertEvents(List<String> lines, Expect expect) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        events.add(JSON.readTree(line));
      }
    }
    assertThat(events).isNotEmpty();

    // Every step of the pipeline: START then COMPLETE, same run id, parent = the workflow run.
    Map<String, List<JsonNode>> byJob = new LinkedHashMap<>();
    for (JsonNode e : events) {
      byJob.computeIfAbsent(e.at("/job/name").asText(), k -> new ArrayList<>()).add(e);
      assertThat(e.at("/job/namespace").asText()).isEqualTo(OpenLineageEvents.NAMESPACE);
      assertThat(e.at("/run/facets/parent/job/namespace").asText())
          .isEqualTo(OpenLineageEvents.NAMESPACE);
      assertThat(e.at("/run/facets/processing_engine/version").asText()).isEqualTo("it-version");
      // The producer is the project URL of the root pom, in every event.
      assertThat(e.at("/producer").asText()).isEqualTo(OpenLineageEvents.PRODUCER.toString());
    }
    for (String step :
        List.of("ValidateData", "BuildFeatures", "TrainModel", "EvaluateModel", "RegisterModel")) {
      List<JsonNode> runs =
          ofWorkflow(byJob.get("TrainingPipelineWorkflow." + step), expect.pipelineWorkflowId());
      assertThat(types(runs))
          .as(step)
          .containsSubsequence("START", "COMPLETE")
          .doesNotContain("FAIL");
      assertThat(runs.stream().map(e -> e.at("/run/runId").asText()).distinct().count())
          .as("one run id for every event of %s (retries included)", step)
          .isEqualTo(1);
    }

    // The chain, by namespace + name: each step's output is an input of the next.
    JsonNode validate =
        complete(byJob, "TrainingPipelineWorkflow.ValidateData", expect.pipelineWorkflowId());
    JsonNode features =
        complete(byJob, "TrainingPipelineWorkflow.BuildFeatures", expect.pipelineWorkflowId());
    JsonNode train =
        complete(byJob, "TrainingPipelineWorkflow.TrainModel", expect.pipelineWorkflowId());
    JsonNode register =
        complete(byJob, "TrainingPipelineWorkflow.RegisterModel", expect.pipelineWorkflowId());
    JsonNode score = complete(byJob, "BatchScoringWorkflow.ScoreBatch", null);

    Name data = new Name("file", expect.trainingData());
    assertThat(names(validate, "inputs")).contains(data);
    assertThat(names(features, "inputs")).contains(data);
    JsonNode validated = dataset(validate, "inputs", data);
    assertThat(validated.at("/facets/trainyard_contentDigest/digest").asText()).hasSize(64);
    assertThat(validated.at("/facets/trainyard_contentDigest/_schemaURL").asText())
        .startsWith("https://");
    assertThat(validated.at("/inputFacets/inputStatistics/rowCount").asLong()).isPositive();
    assertThat(validated.at("/facets/schema/fields").size()).isPositive();
    assertThat(validated.at("/facets/schema/fields/0/name").asText()).isNotBlank();

    assertThat(names(train, "inputs")).isNotEmpty().isSubsetOf(names(features, "outputs"));
    // Schema facets beyond the training input: the features step's input and splits.
    assertThat(fieldNames(dataset(features, "inputs", data))).contains("age", "churned");
    for (JsonNode out : features.get("outputs")) {
      if (out.at("/name").asText().endsWith("/train")) {
        assertThat(out.at("/outputFacets/outputStatistics/rowCount").asLong()).isPositive();
        assertThat(fieldNames(out)).isNotEmpty();
      }
    }
    assertThat(names(register, "inputs")).containsAnyElementsOf(names(train, "outputs"));
    Name version = new Name("mlflow", expect.registeredVersion());
    assertThat(names(register, "outputs")).containsExactly(version);
    assertThat(names(score, "inputs")).contains(version);
    Name scores = new Name("file", expect.scoredOutput());
    assertThat(names(score, "outputs")).contains(scores);
    assertThat(
            dataset(score, "outputs", scores)
                .at("/outputFacets/outputStatistics/rowCount")
                .asLong())
        .isPositive();
    // ... and the scoring step's published output, with the columns it writes.
    assertThat(fieldNames(dataset(score, "outputs", scores)))
        .contains("prediction", "probabilities", "model_name", "model_version", "scoring_run_id");

    // The scoring run of a missing batch: a step that STARTed and FAILed, with the error.
    List<JsonNode> failed = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.at("/run/facets/parent/job/name")
              .asText()
              .endsWith("." + expect.failedScoringWorkflowId())
          && e.at("/eventType").asText().equals("FAIL")) {
        failed.add(e);
      }
    }
    assertThat(failed).as("FAIL events of %s", expect.failedScoringWorkflowId()).isNotEmpty();
    assertThat(failed.get(0).at("/run/facets/errorMessage/message").asText()).isNotBlank();

    // Every event, against the RunEvent structure of the OpenLineage spec.
    InputStream schemaText = OpenLineageChecks.class.getResourceAsStream(SCHEMA);
    assertThat(schemaText).as("test resource %s", SCHEMA).isNotNull();
    JsonSchema schema;
    try (schemaText) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText);
    }
    for (JsonNode e : events) {
      Set<ValidationMessage> problems = schema.validate(e);
      assertThat(problems).as("schema problems of %s", e).isEmpty();
    }
  }

  private static List<JsonNode> ofWorkflow(List<JsonNode> events, String workflowId) {
    assertThat(events).isNotNull();
    if (workflowId == null) {
      return events;
    }
    return events.stream()
        .filter(e -> e.at("/run/facets/parent/job/name").asText().endsWith("." + workflowId))
        .toList();
  }

  private static JsonNode complete(
      Map<String, List<JsonNode>> byJob, String job, String workflowId) {
    return ofWorkflow(byJob.get(job), workflowId).stream()
        .filter(e -> e.at("/eventType").asText().equals("COMPLETE"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no COMPLETE of " + job + " in " + byJob.keySet()));
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.at("/eventType").asText()).toList();
  }

  private static List<Name> names(JsonNode event, String field) {
    List<Name> names = new ArrayList<>();
    event.path(field).forEach(d -> names.add(Name.of(d)));
    return names;
  }

  private static JsonNode dataset(JsonNode event, String field, Name name) {
    for (JsonNode d : event.path(field)) {
      if (Name.of(d).equals(name)) {
        return d;
      }
    }
    throw new AssertionError("no " + name + " in " + field + " of " + event);
  }

  /** The field names of a dataset's schema facet (empty when it has none). */
  static List<String> fieldNames(JsonNode dataset) {
    List<String> names = new ArrayList<>();
    dataset.at("/facets/schema/fields").forEach(f -> names.add(f.at("/name").asText()));
    return names;
  }
}
