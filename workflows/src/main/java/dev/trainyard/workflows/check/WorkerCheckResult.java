package dev.trainyard.workflows.check;

import java.util.List;

public record WorkerCheckResult(List<WorkerAnswer> answers) {
  public boolean allServed() {
    return answers.stream().allMatch(WorkerAnswer::served);
  }
}
