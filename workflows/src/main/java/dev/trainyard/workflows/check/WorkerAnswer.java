package dev.trainyard.workflows.check;

/**
 * One queue's answer.
 *
 * @param worker the Temporal identity of the worker that answered ({@code pid@host}), or null
 * @param problem why no worker answered, or null
 */
public record WorkerAnswer(String queue, String worker, String device, String problem) {
  public boolean served() {
    return problem == null;
  }
}
