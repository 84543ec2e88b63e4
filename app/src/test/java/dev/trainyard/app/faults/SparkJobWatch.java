package dev.trainyard.app.faults;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * What the in-process worker's Spark really did: each job's group (a scoring attempt runs its jobs
 * in the group {@code trainyard/<workflow>/<run>/<activity>/attempt-N}), when it started and ended
 * (Spark's own event times) and whether it failed.
 */
final class SparkJobWatch extends SparkListener {
  record Job(int id, String group, long startedAt, Long endedAt, Boolean failed) {}

  private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();

  static SparkJobWatch on(SparkSession spark) {
    SparkJobWatch w = new SparkJobWatch();
    spark.sparkContext().addSparkListener(w);
    return w;
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    String group = e.properties().getProperty("spark.jobGroup.id");
    if (group != null) {
      jobs.put(e.jobId(), new Job(e.jobId(), group, e.time(), null, null));
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    jobs.computeIfPresent(
        e.jobId(),
        (id, j) ->
            new Job(id, j.group(), j.startedAt(), e.time(), e.jobResult() instanceof JobFailed));
  }

  /** The jobs of one workflow (all its attempts), in start order. */
  List<Job> of(String workflowId) {
    String prefix = "trainyard/" + workflowId + "/";
    return jobs.values().stream()
        .filter(j -> j.group().startsWith(prefix))
        .sorted(java.util.Comparator.comparingLong(Job::startedAt))
        .toList();
  }

  /**
   * Waits until a job of {@code workflowId} has been running for {@code ticks} x 100 ms: the
   * scoring job itself, not one of the quick jobs that read the input's schema.
   */
  Job awaitRunning(String workflowId, int ticks, int maxTicks) throws InterruptedException {
    Map<Integer, Integer> seen = new ConcurrentHashMap<>();
    for (int i = 0; i < maxTicks; i++) {
      for (Job j : of(workflowId)) {
        Job now = jobs.get(j.id());
        if (now.endedAt() == null && seen.merge(j.id(), 1, Integer::sum) >= ticks) {
          return now;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no Spark job of " + workflowId + " kept running; seen: " + jobs);
  }

  Job get(int id) {
    return jobs.get(id);
  }
}
