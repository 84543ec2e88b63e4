package dev.trainyard.app.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.RunDataset;
import dev.trainyard.spark.io.Fingerprints;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.RunSearch;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs found through the real dev server's visibility API with the queries the README gives: the
 * test stack's Temporal is brought up the way {@code dev up} brings it up, which registers the
 * search attributes; a namespace without them still runs workflows, unsearchable, and the worker
 * says how to register them.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchAttributesIT {
  private TemporalServer temporal;
  private MlflowServer mlflowServer;
  private StackConfig config;
  private TrainyardWorker worker;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    this.temporal = temporal;
    this.mlflowServer = mlflowServer;
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
  }

  @AfterAll
  void stop() {
    worker.close();
  }

  /** The ids a visibility query returns, once it returns {@code expected} many (indexing lags). */
  private List<String> ids(String query, int expected) throws InterruptedException {
    List<String> ids = List.of();
    for (int i = 0; i < 40; i++) {
      ids =
          worker
              .client()
              .listExecutions(query)
              .map(WorkflowExecutionMetadata::getExecution)
              .map(e -> e.getWorkflowId())
              .distinct()
              .toList();
      if (ids.size() == expected) {
        return ids;
      }
      Thread.sleep(250);
    }
    return ids;
  }

  @Test
  void pipelineAndScoringRunsAreFoundWithTheReadmesQueries() throws Exception {
    assertNull(worker.searchAttributeWarning());
    Path dir = Files.createDirectories(config.stateDir().resolve("search"));
    Champion c = Champion.train(worker, dir);
    String model = c.model();

    // A pipeline of the same model that fails at validate: its input is not there.
    String failedId = "it-train-missing-" + UUID.randomUUID();
    PipelineSpec missing =
        c.spec()
            .withDataset(
                new PipelineSpec.Dataset(
                    dir.resolve("no-such.parquet").toUri().toString(), "parquet"));
    assertThrows(
        WorkflowFailedException.class,
        () ->
            worker
                .client()
                .newWorkflowStub(
                    TrainingPipelineWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL)
                        .setWorkflowId(failedId)
                        .build())
                .run(missing));

    Path batch = dir.resolve("batch.parquet");
    ChurnData.write(batch.toUri().toString(), 500, 5);
    String scoreId = "it-score-" + UUID.randomUUID();
    ScoringResult scored =
        worker
            .client()
            .newWorkflowStub(
                BatchScoringWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId(scoreId)
                    .build())
            .score(
                ScoringSpec.of(
                        model + "@champion", batch.toString(), dir.resolve("scores").toString())
                    .withKeys(List.of("customer_id")));
    assertEquals("scored", scored.outcome());

    // The README's queries, with this test's model name.
    assertEquals(
        List.of(failedId),
        ids("TrainyardModel = '" + model + "' AND TrainyardOutcome = 'failed'", 1));
    List<String> promoted =
        ids("TrainyardModel = '" + model + "' AND TrainyardOutcome = 'promoted'", 1);
    assertThat(promoted).singleElement().asString().startsWith("it-train-");
    assertEquals(
        List.of(scoreId),
        ids(
            "WorkflowType = 'BatchScoringWorkflow' AND TrainyardModel = '"
                + model
                + "' AND TrainyardModelVersion = '1'",
            1));
    String weekAgo =
        Instant.now().minus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    assertEquals(
        List.of(failedId),
        ids(
            "WorkflowType = 'TrainingPipelineWorkflow' AND TrainyardOutcome = 'failed' AND"
                + " StartTime > '"
                + weekAgo
                + "' AND TrainyardModel = '"
                + model
                + "'",
            1));
    assertEquals(
        List.of(failedId),
        ids("TrainyardModel = '" + model + "' AND TrainyardStep = 'validate'", 1));
    assertEquals(
        List.of(), ids("TrainyardModel = '" + model + "' AND ExecutionStatus = 'Running'", 0));

    // MLflow's Datasets panel: the training run lists the dataset and the splits, the scoring run
    // its input batch, each with Trainyard's content fingerprint as digest.
    try (MlflowClient mlflow = PipelineStack.mlflow(mlflowServer)) {
      String trainRun = mlflow.registry().getModelVersion(model, "1").runId();
      Map<String, RunDataset> byContext =
          mlflow.tracking().getDatasetInputs(trainRun).stream()
              .collect(Collectors.toMap(d -> d.context().orElseThrow(), d -> d));
      assertEquals(Set.of("training", "validation", "test"), byContext.keySet());
      RunDataset training = byContext.get("training");
      String trainingUri = c.spec().dataset().uri();
      String trainingSha = Fingerprints.of(trainingUri).sha256();
      assertEquals("churn-training", training.name());
      assertEquals(trainingSha.substring(0, RunDataset.MAX_DIGEST), training.digest());
      assertEquals(trainingSha, training.tags().get("trainyard.sha256"));
      assertEquals(trainingUri, training.sourceUri().orElseThrow());
      assertEquals("local", training.sourceType());
      assertEquals(4000L, training.rows().orElseThrow());
      assertThat(training.schema()).contains("mlflow_colspec").contains(c.spec().label());
      assertThat(byContext.get("test").sourceUri().orElseThrow()).endsWith("/test");
      assertThat(byContext.get("test").rows().orElseThrow()).isPositive();

      List<RunDataset> scoringInputs = mlflow.tracking().getDatasetInputs(scored.mlflowRunId());
      assertThat(scoringInputs).hasSize(1);
      RunDataset in = scoringInputs.get(0);
      assertEquals("scoring", in.context().orElseThrow());
      assertEquals("batch", in.name());
      assertEquals(
          Fingerprints.of(batch.toString()).sha256().substring(0, RunDataset.MAX_DIGEST),
          in.digest());
      assertEquals(
          batch.toUri().toString().replaceAll("/$", ""),
          in.sourceUri().orElseThrow().replaceAll("/$", ""));
      assertEquals(500L, in.rows().orElseThrow());
    }

    var described = worker.client().newUntypedWorkflowStub(scoreId).describe();
    assertEquals("scored", described.getTypedSearchAttributes().get(RunSearch.OUTCOME));
    assertEquals("done", described.getTypedSearchAttributes().get(RunSearch.STEP));

    // The same query through the Temporal CLI, as a user pastes it.
    Path cli = PipelineStack.home().resolve(".trainyard/tools/bin/temporal");
    Process p =
        new ProcessBuilder(
                cli.toString(),
                "workflow",
                "list",
                "--address",
                temporal.address(),
                "--namespace",
                temporal.namespace(),
                "--query",
                "TrainyardModel = '" + model + "' AND TrainyardOutcome = 'failed'")
            .redirectErrorStream(true)
            .start();
    assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println("temporal workflow list --query …:\n" + out);
    assertEquals(0, p.exitValue(), out);
    assertThat(out).contains(failedId).doesNotContain(scoreId);
  }

  @Test
  void inANamespaceWithoutThemRunsStillWorkAndTheWorkerSaysHowToRegisterThem() throws Exception {
    String namespace = "bare-" + UUID.randomUUID().toString().substring(0, 8);
    WorkflowServiceStubs service = TemporalClients.connect(config.temporal());
    try {
      service
          .blockingStub()
          .registerNamespace(
              RegisterNamespaceRequest.newBuilder()
                  .setNamespace(namespace)
                  .setWorkflowExecutionRetentionPeriod(
                      com.google.protobuf.Duration.newBuilder().setSeconds(86_400))
                  .build());
    } finally {
      service.shutdown();
    }
    StackConfig bare =
        PipelineStack.config(
            new TemporalServer(temporal.address(), namespace, temporal.uiUri()), mlflowServer);
    TrainyardWorker w = null;
    // A namespace just registered may take a moment to be served.
    for (int i = 0; i < 40 && w == null; i++) {
      TrainyardWorker candidate = new TrainyardWorker(bare, List.of(TaskQueues.CONTROL));
      if (candidate.searchAttributeWarning() != null
          && candidate.searchAttributeWarning().contains("missing")) {
        w = candidate;
      } else {
        candidate.close();
        Thread.sleep(500);
      }
    }
    assertThat(w).isNotNull();
    try {
      w.start();
      String warning = w.searchAttributeWarning();
      System.out.println("worker warning: " + warning);
      assertThat(warning)
          .contains("TrainyardModel missing")
          .contains(
              "temporal operator search-attribute create --namespace "
                  + namespace
                  + " --type Keyword")
          .contains("tcld namespace search-attributes add");

      // A run there works (here: fails on its bad spec, as it should) instead of its workflow
      // task failing over and over on an unknown attribute.
      PipelineSpec bad =
          PipelineSpec.builder()
              .setName("bare")
              .setDataset(new PipelineSpec.Dataset("file:///nowhere.parquet", "parquet"))
              .setLabel("")
              .setTask("binary")
              .setFeatures(new PipelineSpec.Features(List.of(), List.of(), List.of()))
              .setRegisteredModel("bare-model")
              .build();
      String id = "it-bare-" + UUID.randomUUID();
      WorkflowClient client = w.client();
      WorkflowFailedException e =
          assertThrows(
              WorkflowFailedException.class,
              () ->
                  client
                      .newWorkflowStub(
                          TrainingPipelineWorkflow.class,
                          WorkflowOptions.newBuilder()
                              .setTaskQueue(TaskQueues.CONTROL)
                              .setWorkflowId(id)
                              .setWorkflowExecutionTimeout(java.time.Duration.ofMinutes(1))
                              .build())
                      .run(bad));
      assertThat(e.getCause().getMessage()).contains("problem(s)");
      assertThat(
              client.fetchHistory(id).getEvents().stream()
                  .filter(
                      ev ->
                          ev.getEventType()
                              == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
                  .toList())
          .isEmpty();
    } finally {
      w.close();
    }
  }
}
