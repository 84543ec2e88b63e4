package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.ModelFolders;
import dev.trainyard.registry.AliasHistory;
import dev.trainyard.registry.AliasMove;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ModelVersionSpec;
import dev.trainyard.testing.FaultProxy;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry activities against the real MLflow: what a retry after a lost response does. The
 * model files are small stand-ins; what is under test is what MLflow ends up holding.
 */
@ExtendWith(MlflowExtension.class)
class RegistryActivitiesIT {
  @TempDir Path dir;
  private TestActivityEnvironment env;
  private MlflowClient mlflow;
  private PipelineActivities.Registry registry;

  @BeforeEach
  void setUp(MlflowServer server) {
    mlflow = new MlflowClient(server.trackingUri());
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new RegistryActivitiesImpl(
            new ActivityEnvironment(
                mlflow, dir.resolve("lake"), dir.resolve("work"), "test", "test-worker")));
    registry = env.newActivityStub(PipelineActivities.Registry.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    mlflow.close();
  }

  private PipelineSpec spec(String model) {
    return SpecDefaults.apply(
        PipelineSpec.builder()
            .setName("reg-" + UUID.randomUUID())
            .setDataset(new PipelineSpec.Dataset("file:///data/x.parquet", null))
            .setLabel("y")
            .setTask("binary")
            .setFeatures(new PipelineSpec.Features(List.of("a"), null, null))
            .setRegisteredModel(model)
            .build());
  }

  private Payloads.RegisterRequest request(
      PipelineSpec spec, Payloads.PipelineRun run, String workflowId) throws Exception {
    return request(spec, run, workflowId, "{}");
  }

  /** A request whose trained model is a {@code model-spec.json} holding {@code modelSpec}. */
  private Payloads.RegisterRequest request(
      PipelineSpec spec, Payloads.PipelineRun run, String workflowId, String modelSpec)
      throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model-spec.json"), modelSpec);
    Path features = Files.createDirectories(dir.resolve("features/pipeline"));
    Files.writeString(features.resolve("metadata"), "stand-in");
    Files.writeString(dir.resolve("features/features.json"), "{}");
    Path profile = Files.writeString(dir.resolve("profile.json"), "{}");
    return Payloads.RegisterRequest.builder()
        .setSpec(spec)
        .setRun(run)
        .setFeatures(
            Payloads.FeaturesResult.builder()
                .setFeaturesUri(dir.resolve("features").toUri().toString())
                .setCacheKey("k")
                .optCacheHit(false)
                .setTrainRows(1)
                .setValidationRows(1)
                .setTestRows(1)
                .setNumFeatures(1)
                .setNumClasses(2)
                .build())
        .setTraining(
            new Payloads.TrainResult(
                model.toUri().toString(), 1, 1, 0, Map.of("roc_auc", 0.8), "cpu"))
        .setTestMetrics(Map.of("roc_auc", 0.81))
        .setValidation(
            new Payloads.ValidationResult(
                true, 3, List.of(), "r", "sha", profile.toUri().toString()))
        .setWorkflowId(workflowId)
        .optGateReasons(List.of("roc_auc 0.8100 within bounds", "no current champion to beat"))
        .build();
  }

  /**
   * MLflow serves requests concurrently: a create whose answer was lost can be carried out after
   * the retry searched, and the retry then makes a second version of the same files. Here that late
   * version is made through MLflow's API beside the first; the next registration attempt keeps the
   * first one (the alias goes there) and deletes the duplicate.
   */
  @Test
  void aDuplicateVersionFromALateCreateIsFoldedIntoTheFirst() throws Exception {
    String model = "reg-late-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-late");
    Payloads.RegisterRequest req = request(spec, run, "wf-late");
    Payloads.ModelVersionRef first = registry.registerModel(req);
    ModelVersion v1 = mlflow.registry().getModelVersion(model, first.version());
    ModelVersion late =
        mlflow
            .registry()
            .createModelVersion(
                ModelVersionSpec.builder()
                    .setName(model)
                    .setSource(v1.source())
                    .optRunId(v1.runId())
                    .optTags(v1.tags())
                    .build());
    assertThat(mlflow.registry().listModelVersions(model)).hasSize(2);

    Payloads.ModelVersionRef again = registry.registerModel(req);

    assertEquals(first, again);
    assertThat(mlflow.registry().listModelVersions(model))
        .extracting(ModelVersion::version)
        .containsExactly(first.version())
        .doesNotContain(late.version());
    assertEquals(
        first.version(), mlflow.registry().getModelVersionByAlias(model, "challenger").version());
  }

  @Test
  void aRetriedRegistrationFindsItsVersionInsteadOfMakingASecond() throws Exception {
    String model = "reg-model-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-1");
    Payloads.RegisterRequest req = request(spec, run, "wf-1");

    Payloads.ModelVersionRef first = registry.registerModel(req);
    Payloads.ModelVersionRef again = registry.registerModel(req);

    assertEquals(first, again);
    List<ModelVersion> versions = mlflow.registry().listModelVersions(model);
    assertThat(versions).extracting(ModelVersion::version).containsExactly("1");
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
    assertThat(mlflow.artifacts().listFiles(run.artifactUri(), "model"))
        .extracting(f -> f.path())
        .contains("model/MLmodel", "model/djl/model-spec.json", "model/training-profile.json");
  }

  @Test
  void promotionRecordsThePreviousChampionAndARetryChangesNothing() throws Exception {
    String model = "reg-promote-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "wf-a");
    String v1 = registry.registerModel(request(spec, run1, "wf-a")).version();
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "wf-b");
    String v2 = registry.registerModel(request(spec, run2, "wf-b")).version();

    Payloads.Promotion p1 =
        registry.promote(new Payloads.PromoteRequest(model, v1, List.of("first"), null));
    Payloads.Promotion p2 =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better"), v1));
    Payloads.Promotion retried =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better"), v1));

    assertNull(p1.previousChampion());
    assertEquals(v1, p2.previousChampion());
    assertEquals(v1, retried.previousChampion());
    assertEquals(v2, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals(
        v1, mlflow.registry().getModelVersion(model, v2).tags().get("trainyard.previous_champion"));
  }

  @Test
  void aSecondRunUnderTheSameWorkflowIdRegistersItsOwnVersion() throws Exception {
    // `train --id nightly` twice: two workflow runs (the test environment gives each activity
    // call its own run id) with the same workflow id, each training a different model.
    String model = "reg-reuse-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "nightly");
    Payloads.ModelVersionRef first =
        registry.registerModel(request(spec, run1, "nightly", "{\"run\": 1}"));
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "nightly");
    Payloads.ModelVersionRef second =
        registry.registerModel(request(spec, run2, "nightly", "{\"run\": 2}"));

    assertThat(run2.runId()).isNotEqualTo(run1.runId());
    assertEquals("1", first.version());
    assertEquals("2", second.version());
    assertEquals(run2.runId(), mlflow.registry().getModelVersion(model, "2").runId());
    assertEquals("2", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
    Path fetched =
        mlflow
            .artifacts()
            .download(second.source(), "djl/model-spec.json", dir.resolve("v2-model-spec.json"));
    assertEquals("{\"run\": 2}", Files.readString(fetched));
  }

  @Test
  void aModelNameReCreatedWithOtherContentIsFetchedAfresh() throws Exception {
    String model = "reg-recreate-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    ModelFolders folders = new ModelFolders(mlflow, dir.resolve("models"));
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "wf-old");
    Payloads.ModelVersionRef old =
        registry.registerModel(request(spec, run1, "wf-old", "{\"model\": \"old\"}"));
    Path oldDir = folders.fetch(model, old.version(), old.source());
    assertEquals("{\"model\": \"old\"}", Files.readString(oldDir.resolve("djl/model-spec.json")));

    // The model is deleted and made again: version 1 now means other files.
    mlflow.registry().deleteRegisteredModel(model);
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "wf-new");
    Payloads.ModelVersionRef fresh =
        registry.registerModel(request(spec, run2, "wf-new", "{\"model\": \"new\"}"));
    assertEquals(old.version(), fresh.version());

    Path newDir = folders.fetch(model, fresh.version(), fresh.source());
    assertEquals("{\"model\": \"new\"}", Files.readString(newDir.resolve("djl/model-spec.json")));
  }

  @Test
  void artifactsChangedAfterRegistrationFailTheFetchWithoutRetries() throws Exception {
    String model = "reg-tamper-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-t");
    Payloads.ModelVersionRef v =
        registry.registerModel(request(spec, run, "wf-t", "{\"weights\": \"good\"}"));
    // Someone overwrites one of the version's files in the artifact store.
    Path evil = Files.writeString(dir.resolve("evil.json"), "{\"weights\": \"evil\"}");
    mlflow.artifacts().upload(run.artifactUri(), evil, "model/djl/model-spec.json");

    Path models = Files.createDirectories(dir.resolve("models"));
    ApplicationFailure e =
        assertThrows(
            ApplicationFailure.class,
            () -> new ModelFolders(mlflow, models).fetch(model, v.version(), v.source()));

    assertTrue(e.isNonRetryable(), "a changed model is not fixed by retrying");
    assertEquals("ModelArtifactsChanged", e.getType());
    assertThat(e.getOriginalMessage())
        .contains(model + "/" + v.version())
        .contains(v.source())
        .contains("changed after registration");
    try (Stream<Path> left = Files.walk(models)) {
      assertThat(left.filter(Files::isRegularFile)).as("model files left on the worker").isEmpty();
    }
  }

  @Test
  void promotionDoesNotMoveAChampionThatMovedAfterTheGateLookedAtIt() throws Exception {
    String model = "reg-cas-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    String v1 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-1"), "wf-1", "{\"v\": 1}"))
            .version();
    String v2 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-2"), "wf-2", "{\"v\": 2}"))
            .version();
    String v3 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-3"), "wf-3", "{\"v\": 3}"))
            .version();
    registry.promote(new Payloads.PromoteRequest(model, v1, List.of("first"), null));
    // v3's gate compared it with champion v1; then someone promoted v2.
    new AliasHistory(mlflow.registry()).move(model, "champion", v1, v2, "m-1", "bob", "hotfix");

    ActivityFailure failed =
        assertThrows(
            ActivityFailure.class,
            () -> registry.promote(new Payloads.PromoteRequest(model, v3, List.of("better"), v1)));
    ApplicationFailure e = assertInstanceOf(ApplicationFailure.class, failed.getCause());

    assertEquals("ChampionChanged", e.getType());
    assertTrue(e.isNonRetryable());
    assertThat(e.getOriginalMessage())
        .contains("Not promoting " + model + "/" + v3)
        .contains("compared it with champion version " + v1)
        .contains("champion now points at version " + v2)
        .contains("moved there by bob")
        .contains("hotfix");
    assertEquals(v2, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    List<AliasMove> champions =
        new AliasHistory(mlflow.registry())
            .list(model).stream().filter(m -> m.alias().equals("champion")).toList();
    assertThat(champions)
        .extracting(AliasMove::from, AliasMove::to)
        .containsExactly(tuple(null, v1), tuple(v1, v2));
    assertThat(champions.get(0).by()).startsWith("workflow test-workflow-id (run ");
    assertEquals("bob", champions.get(1).by());
  }

  /**
   * MLflow's answer to each request of a registration lost in turn, through a real Toxiproxy
   * between the worker and MLflow: round r loses the answer to the r-th request the worker sends
   * (the request reaches MLflow and is carried out; its answer is delayed past the client's
   * timeout), until a registration needs fewer than r requests. So every point of a registration,
   * reads and writes alike, loses its answer once, in the same order on every machine (an artifact
   * upload waits longer than the other calls: it gets its answer late, and the call after it loses
   * its own). Temporal retries; each registration ends with one version, the alias on it and one
   * record of the move.
   */
  @Test
  void answersLostWhileRegisteringLeaveOneVersionAndTheAliasOnIt(MlflowServer server)
      throws Exception {
    URI direct = server.trackingUri();
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    ProxySelector systemSelector = ProxySelector.getDefault();
    try (FaultProxy faults = FaultProxy.start();
        TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance()) {
      FaultProxy.Proxy link = faults.proxy("mlflow", direct.getHost(), direct.getPort());
      LoseOneAnswer lose = new LoseOneAnswer(link);
      // java.net.http asks the default selector for every request it sends; the client built
      // next keeps this one.
      ProxySelector.setDefault(lose);
      MlflowClient client =
          new MlflowClient(
              MlflowConfig.builder()
                  .setTrackingUri(URI.create("http://" + link.address()))
                  .optRequestTimeout(Duration.ofMillis(800))
                  .build());
      // The in-process Temporal test server retries the activity as production does (same
      // workflow run on every attempt); MLflow is the real one.
      Worker worker = temporal.newWorker("registry-faults");
      worker.registerWorkflowImplementationTypes(RegisterOnceImpl.class);
      worker.registerActivitiesImplementations(
          recordingFailures(
              new RegistryActivitiesImpl(
                  new ActivityEnvironment(
                      client, dir.resolve("lake"), dir.resolve("work"), "test", "test-worker")),
              failure -> {
                failures.add(failure);
                System.err.println("[registry-faults] failed attempt: " + failure);
                lose.attemptFailed();
              }));
      temporal.start();
      try {
        for (int round = 1; round <= 60; round++) {
          lose.loseAnswerTo(round);
          registerAndCheck(temporal, "lost-" + round, lose);
          System.err.println("[registry-faults] round " + round + ": lost " + lose.lost());
          if (lose.lost() == null) {
            break; // the registration needed fewer than `round` requests: every point was hit
          }
        }
      } finally {
        ProxySelector.setDefault(systemSelector);
        client.close();
      }
    }
    assertThat(failures)
        .as("every failed attempt retryable")
        .noneMatch(f -> f.startsWith("NON-RETRYABLE"));
    assertThat(failures)
        .as(
            "the answers to the writes that make a version and move the alias were among those lost")
        .anyMatch(f -> f.contains("[POST /api/2.0/mlflow/registered-models/create]"))
        .anyMatch(f -> f.contains("[POST /api/2.0/mlflow/model-versions/create]"))
        .anyMatch(f -> f.contains("[POST /api/2.0/mlflow/registered-models/alias]"));
  }

  /** One registration through the faulty link; MLflow ends up holding exactly one of it. */
  private void registerAndCheck(TestWorkflowEnvironment temporal, String label, LoseOneAnswer lose)
      throws Exception {
    String model = "reg-" + label + "-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-" + label);
    RegisterOnce retrying =
        temporal
            .getWorkflowClient()
            .newWorkflowStub(
                RegisterOnce.class,
                WorkflowOptions.newBuilder().setTaskQueue("registry-faults").build());
    Payloads.ModelVersionRef ref =
        retrying.register(request(spec, run, "wf-" + label, "{\"label\": \"" + label + "\"}"));
    lose.link.clearToxics();

    assertThat(mlflow.registry().listModelVersions(model))
        .as("%s (lost: %s)", label, lose.lost())
        .extracting(ModelVersion::version)
        .containsExactly(ref.version());
    assertEquals(
        ref.version(), mlflow.registry().getModelVersionByAlias(model, "challenger").version());
    assertThat(new AliasHistory(mlflow.registry()).list(model))
        .extracting(AliasMove::alias, AliasMove::to)
        .containsExactly(tuple("challenger", ref.version()));
    assertThat(mlflow.artifacts().list(run.artifactUri(), ""))
        .as("one copy of the model in the run's artifacts")
        .extracting(f -> f.path())
        .filteredOn(path -> path.startsWith("model"))
        .containsExactly("model");
  }

  /**
   * Loses the answer to the n-th request sent to the link (counted from {@link #loseAnswerTo}):
   * just before it is sent, the link starts delaying answers past the client's timeout.
   */
  private static final class LoseOneAnswer extends ProxySelector {
    private final FaultProxy.Proxy link;
    private final AtomicInteger sent = new AtomicInteger();
    private volatile int loseNth = Integer.MAX_VALUE;
    private volatile String lost;

    LoseOneAnswer(FaultProxy.Proxy link) {
      this.link = link;
    }

    void loseAnswerTo(int nth) {
      lost = null;
      sent.set(0);
      loseNth = nth;
    }

    /** An attempt failed: its answer is lost; the retry finds the link clean. */
    void attemptFailed() {
      link.clearToxics();
    }

    /** The path of the request whose answer was lost this round, or null. */
    String lost() {
      return lost;
    }

    @Override
    public List<Proxy> select(URI uri) {
      if (uri.getPort() != link.port()) {
        return List.of(Proxy.NO_PROXY);
      }
      if (sent.incrementAndGet() == loseNth) {
        lost = uri.getRawPath();
        link.latency(Duration.ofMillis(1200));
      }
      return List.of(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException e) {}
  }

  /** Registers one model, with Temporal retrying the activity on retryable failures. */
  @WorkflowInterface
  public interface RegisterOnce {
    @WorkflowMethod
    Payloads.ModelVersionRef register(Payloads.RegisterRequest request);
  }

  public static class RegisterOnceImpl implements RegisterOnce {
    private final PipelineActivities.Registry registry =
        Workflow.newActivityStub(
            PipelineActivities.Registry.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(100))
                        .setBackoffCoefficient(1.0)
                        .setMaximumAttempts(200)
                        .build())
                .build());

    @Override
    public Payloads.ModelVersionRef register(Payloads.RegisterRequest request) {
      return registry.registerModel(request);
    }
  }

  /**
   * The registry activities, recording each failed attempt's message; a non-retryable failure here
   * fails the test (a lost answer must be retried, never end the run).
   */
  private static PipelineActivities.Registry recordingFailures(
      PipelineActivities.Registry impl, Consumer<String> failures) {
    return (PipelineActivities.Registry)
        java.lang.reflect.Proxy.newProxyInstance(
            PipelineActivities.Registry.class.getClassLoader(),
            new Class<?>[] {PipelineActivities.Registry.class},
            (proxy, method, args) -> {
              try {
                return method.invoke(impl, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                boolean retryable = !(cause instanceof ApplicationFailure f) || !f.isNonRetryable();
                failures.accept((retryable ? "" : "NON-RETRYABLE ") + cause.getMessage());
                throw cause;
              }
            });
  }
}
