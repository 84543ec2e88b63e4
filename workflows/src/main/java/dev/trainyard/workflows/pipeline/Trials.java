package dev.trainyard.workflows.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Turns a spec's {@code trials} into concrete model settings. Pure and seeded by the spec, so the
 * same spec always tries the same trials (and a replayed workflow computes the same list).
 */
public final class Trials {
  private Trials() {}

  /**
   * One trial: a readable name (e.g. {@code learningRate=0.01,hiddenLayers=[64]}) and its model.
   */
  public record Trial(String name, PipelineSpec.Model model) {}

  public static List<Trial> expand(PipelineSpec.Trials trials, PipelineSpec.Model base) {
    // Sorted keys: the order of a YAML mapping must not change which trials run.
    Map<String, List<Object>> space = new TreeMap<>(trials.space());
    List<Map<String, Object>> combos =
        switch (trials.trialStrategy()) {
          case GRID -> grid(space);
          case RANDOM -> random(space, trials.count(), base.seed());
        };
    List<Trial> result = new ArrayList<>();
    for (Map<String, Object> c : combos) {
      StringBuilder name = new StringBuilder();
      c.forEach(
          (k, v) -> name.append(name.length() == 0 ? "" : ",").append(k).append('=').append(v));
      result.add(new Trial(name.toString(), apply(base, c)));
    }
    return result;
  }

  /** Every combination of the space's values. */
  private static List<Map<String, Object>> grid(Map<String, List<Object>> space) {
    List<Map<String, Object>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (var e : space.entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> c : combos) {
        for (Object v : e.getValue()) {
          Map<String, Object> m = new LinkedHashMap<>(c);
          m.put(e.getKey(), v);
          next.add(m);
        }
      }
      combos = next;
    }
    return combos;
  }

  /** {@code count} combinations drawn with {@code seed}. */
  private static List<Map<String, Object>> random(
      Map<String, List<Object>> space, int count, long seed) {
    List<Map<String, Object>> combos = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      space.forEach((k, values) -> m.put(k, values.get(random.nextInt(values.size()))));
      combos.add(m);
    }
    return combos;
  }

  @SuppressWarnings("unchecked")
  private static PipelineSpec.Model apply(PipelineSpec.Model m, Map<String, Object> c) {
    return new PipelineSpec.Model(
        c.containsKey("type") ? String.valueOf(c.get("type")) : m.type(),
        c.containsKey("hiddenLayers")
            ? ((List<Object>) c.get("hiddenLayers"))
                .stream().map(x -> ((Number) x).intValue()).toList()
            : m.hiddenLayers(),
        c.containsKey("epochs") ? ((Number) c.get("epochs")).intValue() : m.epochs(),
        c.containsKey("batchSize") ? ((Number) c.get("batchSize")).intValue() : m.batchSize(),
        c.containsKey("learningRate")
            ? ((Number) c.get("learningRate")).doubleValue()
            : m.learningRate(),
        m.earlyStoppingPatience(),
        m.device(),
        m.seed());
  }
}
