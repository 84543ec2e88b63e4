package dev.trainyard.workflows;

import java.util.List;

/**
 * The task queues workers poll: one process serves all three by default, production splits them.
 */
public final class TaskQueues {
  /** Registry and other light steps. */
  public static final String CONTROL = "trainyard-control";

  /** Validation, features and scoring: Spark. */
  public static final String SPARK = "trainyard-spark";

  /** DJL training; GPU workers poll it. */
  public static final String TRAIN = "trainyard-train";

  public static final List<String> ALL = List.of(CONTROL, SPARK, TRAIN);

  private TaskQueues() {}
}
