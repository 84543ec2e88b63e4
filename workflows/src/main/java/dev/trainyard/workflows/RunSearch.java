package dev.trainyard.workflows;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trainyard's custom search attributes, which make runs findable in the Temporal UI and with {@code
 * temporal workflow list --query}, and one run's view of them.
 *
 * <p>All five are {@code Keyword}s. {@code trainyard dev up} registers them on the local dev
 * server; elsewhere an operator registers them once per namespace (README, "Finding runs"). A
 * workflow that upserts an attribute the namespace does not know fails its workflow task over and
 * over, so a run upserts only when the worker that started it found all five registered ({@link
 * #forThisRun}); that answer is recorded in the run's history (a side effect), so a replay on any
 * worker takes the same path.
 */
public final class RunSearch {
  /** The pipeline's name ({@code name} in its spec). */
  public static final SearchAttributeKey<String> PIPELINE =
      SearchAttributeKey.forKeyword("TrainyardPipeline");

  /** The MLflow registered model a run trains or scores with. */
  public static final SearchAttributeKey<String> MODEL =
      SearchAttributeKey.forKeyword("TrainyardModel");

  /** The model version a pipeline registered, or the one a scoring run resolved and used. */
  public static final SearchAttributeKey<String> MODEL_VERSION =
      SearchAttributeKey.forKeyword("TrainyardModelVersion");

  /**
   * How the run ended: {@code promoted}, {@code registered}, {@code rejected} (pipelines), {@code
   * scored}, {@code skipped}, {@code retraining} (scoring), {@code failed}, {@code cancelled};
   * unset while it runs.
   */
  public static final SearchAttributeKey<String> OUTCOME =
      SearchAttributeKey.forKeyword("TrainyardOutcome");

  /** The step the run is in, or the one it failed in (validate, features, train, …, done). */
  public static final SearchAttributeKey<String> STEP =
      SearchAttributeKey.forKeyword("TrainyardStep");

  /** All five, in the order the docs list them. */
  public static final List<SearchAttributeKey<String>> ALL =
      List.of(PIPELINE, MODEL, MODEL_VERSION, OUTCOME, STEP);

  /** Change id of the first workflow version that upserts (older histories never did). */
  static final String CHANGE_ID = "trainyard-search-attributes";

  // A Keyword holds at most a few KB; names and versions are far shorter, this is a backstop.
  private static final int MAX_VALUE = 255;

  private final boolean on;
  private final Map<String, String> current = new HashMap<>();

  private RunSearch(boolean on) {
    this.on = on;
  }

  /** The names, for registering and checking them. */
  public static List<String> names() {
    return ALL.stream().map(SearchAttributeKey::getName).toList();
  }

  /**
   * This run's search attributes. Call once, at the start of the workflow method.
   *
   * @param registeredOnWorker whether the worker running this task found all five registered in its
   *     namespace; recorded in the history the first time, so replays agree
   */
  public static RunSearch forThisRun(boolean registeredOnWorker) {
    int version = Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1);
    if (version == Workflow.DEFAULT_VERSION) {
      return new RunSearch(false);
    }
    boolean registered = Workflow.sideEffect(Boolean.class, () -> registeredOnWorker);
    return new RunSearch(registered);
  }

  /** Whether this run upserts its search attributes. */
  public boolean enabled() {
    return on;
  }

  /** Sets one attribute (no-op when off, unchanged or {@code value} is null). */
  public void set(SearchAttributeKey<String> key, String value) {
    Map<SearchAttributeKey<String>, String> one = new LinkedHashMap<>();
    one.put(key, value);
    set(one);
  }

  /** Sets several attributes in one upsert (one history event). */
  public void set(Map<SearchAttributeKey<String>, String> values) {
    if (!on) {
      return;
    }
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    values.forEach(
        (key, raw) -> {
          if (raw == null) {
            return;
          }
          String value = raw.length() > MAX_VALUE ? raw.substring(0, MAX_VALUE) : raw;
          if (!Objects.equals(current.get(key.getName()), value)) {
            current.put(key.getName(), value);
            updates.add(SearchAttributeUpdate.valueSet(key, value));
          }
        });
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate<?>[]::new));
    }
  }

  /**
   * What one kind of step's activity summary says (the Temporal UI shows it on the event): at most
   * 200 characters.
   */
  public static String summary(String text) {
    return text.length() <= 200 ? text : text.substring(0, 199) + "…";
  }
}
