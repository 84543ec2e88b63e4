package dev.trainyard.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (the same update and defaults as DJL's {@code Adam}: β1 0.9, β2 0.999, ε 1e-8, fixed
 * learning rate) whose moments and step counts can be saved and restored, so that a resumed run
 * continues exactly where the killed one stopped. DJL's own Adam keeps that state private.
 */
final class ResumableAdam extends Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final float learningRate;
  private final NDManager stateManager;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> steps = new HashMap<>();

  /**
   * @param stateManager owns the moments; Trainer.step runs updates in a scope that would otherwise
   *     close arrays created during the update
   */
  ResumableAdam(float learningRate, NDManager stateManager) {
    super(new Builder());
    this.learningRate = learningRate;
    this.stateManager = stateManager;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    int step = steps.merge(parameterId, 1, Integer::sum);
    double biasCorrection1 = 1.0 - Math.pow(BETA1, step);
    double biasCorrection2 = 1.0 - Math.pow(BETA2, step);
    float rate = (float) (learningRate * Math.sqrt(biasCorrection2) / biasCorrection1);
    NDArray mean = means.computeIfAbsent(parameterId, k -> zerosLike(weight));
    NDArray variance = variances.computeIfAbsent(parameterId, k -> zerosLike(weight));
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, mean, variance),
            new NDList(weight),
            learningRate,
            rate,
            0f,
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            false);
  }

  /** The moments, two arrays per parameter in {@code parameters} order (zeros before step 1). */
  NDList moments(List<Parameter> parameters) {
    NDList out = new NDList();
    for (Parameter p : parameters) {
      out.add(moment(means, p));
      out.add(moment(variances, p));
    }
    return out;
  }

  /** Step counts in {@code parameters} order. */
  int[] steps(List<Parameter> parameters) {
    return parameters.stream().mapToInt(p -> steps.getOrDefault(p.getId(), 0)).toArray();
  }

  /** Restores what {@link #moments} and {@link #steps} returned, onto these parameters. */
  void restore(List<Parameter> parameters, NDList moments, int[] stepCounts) {
    if (moments.size() != 2 * parameters.size() || stepCounts.length != parameters.size()) {
      throw new IllegalStateException(
          "optimizer state holds "
              + moments.size() / 2
              + " parameters, the model has "
              + parameters.size());
    }
    for (int i = 0; i < parameters.size(); i++) {
      String id = parameters.get(i).getId();
      means.put(id, moments.get(2 * i));
      variances.put(id, moments.get(2 * i + 1));
      steps.put(id, stepCounts[i]);
    }
  }

  private NDArray moment(Map<String, NDArray> moments, Parameter parameter) {
    NDArray moment = moments.get(parameter.getId());
    return moment != null ? moment : zerosLike(parameter.getArray());
  }

  private NDArray zerosLike(NDArray weight) {
    NDArray zeros = weight.zerosLike();
    zeros.detach();
    zeros.attach(stateManager);
    return zeros;
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
