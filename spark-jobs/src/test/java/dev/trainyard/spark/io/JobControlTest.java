package dev.trainyard.spark.io;

import static dev.trainyard.spark.io.OutputsPublishTest.SCORES;
import static dev.trainyard.spark.io.OutputsPublishTest.entries;
import static dev.trainyard.spark.io.OutputsPublishTest.files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that is no longer wanted stops and publishes nothing: cancelling stops its running Spark
 * job, a cancel that comes after the job wrote its rows still keeps them unpublished, and an
 * attempt whose step a later attempt has taken over (it timed out) cannot publish over the retry.
 */
class JobControlTest {
  @TempDir Path dir;
  final Configuration conf = new Configuration();

  @Test
  void aLaterAttemptsClaimFencesTheEarlierAttemptOutOfPublishing() throws Exception {
    Path out = dir.resolve("daily");
    String uri = out.toUri().toString();
    JobControl first = JobControl.forAttempt("group-1", "wf/run/score", 1);
    JobControl retry = JobControl.forAttempt("group-2", "wf/run/score", 2);
    Outputs.publish(conf, uri, SCORES, files("yesterday", 1));
    Outputs.claim(conf, uri, first);

    // The first attempt timed out while writing; its retry started and claimed the output before
    // the first attempt got to publish.
    assertThatThrownBy(
            () ->
                Outputs.publish(
                    conf,
                    uri,
                    SCORES,
                    first,
                    staging -> {
                      files("stale", 2).accept(staging);
                      Outputs.claim(conf, uri, retry);
                    }))
        .isInstanceOf(JobCancelledException.class)
        .hasMessageContaining("attempt 2 of this step has started since");
    assertThat(entries(out)).contains("part-0-yesterday.txt").noneMatch(e -> e.contains("stale"));
    assertThat(leftovers()).isEmpty();
    // Nor can it claim again (say, a second job of the same attempt).
    assertThatThrownBy(() -> Outputs.claim(conf, uri, first))
        .isInstanceOf(JobCancelledException.class);

    Outputs.publish(conf, uri, SCORES, retry, files("retry", 2));
    assertThat(entries(out)).contains("part-0-retry.txt").noneMatch(e -> e.contains("yesterday"));
  }

  @Test
  void aRetryDeletesTheStagingFolderItsEarlierAttemptLeft() throws Exception {
    Path out = dir.resolve("daily");
    String uri = out.toUri().toString();
    JobControl first = JobControl.forAttempt("group-1", "wf/run/score", 1);
    JobControl other = JobControl.forAttempt("group-x", "wf-b/run/score", 1);
    JobControl retry = JobControl.forAttempt("group-2", "wf/run/score", 2);
    // The first attempt lost its store while writing and could not delete its staging folder;
    // another run's attempt is writing beside it; someone keeps a folder of a similar name there.
    Path stale = Files.createDirectories(dir.resolve(".daily.staging-" + first.stagingId()));
    Files.writeString(stale.resolve("part-0.parquet"), "half");
    Path othersWork = Files.createDirectories(dir.resolve(".daily.staging-" + other.stagingId()));
    Path foreign = Files.createDirectories(dir.resolve(".daily.staging-notes"));

    Outputs.claim(conf, uri, retry);

    assertThat(stale).doesNotExist();
    assertThat(othersWork).exists();
    assertThat(foreign).exists();
    Outputs.publish(conf, uri, SCORES, retry, files("retry", 1));
    assertThat(entries(out)).contains("part-0-retry.txt");
  }

  @Test
  void anotherStepsClaimDoesNotFenceThisOne() throws Exception {
    String uri = dir.resolve("daily").toUri().toString();
    JobControl mine = JobControl.forAttempt("g-a", "wf-a/run/score", 1);
    Outputs.claim(conf, uri, mine);
    // A different run scoring into the same place: the publish lock orders them, the fence is
    // only between attempts of one step.
    Outputs.claim(conf, uri, JobControl.forAttempt("g-b", "wf-b/run/score", 5));

    Outputs.publish(conf, uri, SCORES, mine, files("a", 1));
    assertThat(entries(dir.resolve("daily"))).contains("part-0-a.txt");
  }

  @Test
  void aCancelThatArrivesAfterTheRowsAreWrittenStillPublishesNothing() throws Exception {
    Path out = dir.resolve("daily");
    String uri = out.toUri().toString();
    Outputs.publish(conf, uri, SCORES, files("yesterday", 1));
    JobControl control = JobControl.forAttempt("g", "wf/run/score", 1);

    assertThatThrownBy(
            () ->
                Outputs.publish(
                    conf,
                    uri,
                    SCORES,
                    control,
                    staging -> {
                      files("today", 3).accept(staging);
                      control.cancel("the workflow was cancelled");
                    }))
        .isInstanceOf(JobCancelledException.class)
        .hasMessageContaining("the workflow was cancelled");
    assertThat(entries(out)).contains("part-0-yesterday.txt").noneMatch(e -> e.contains("today"));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void cancellingStopsTheRunningSparkJob() throws Exception {
    SparkSession spark = TestData.spark();
    JobControl control = JobControl.forAttempt("test-cancel-" + System.nanoTime(), "s", 1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // Tasks that would run for ten minutes unless interrupted.
      Future<Long> job =
          pool.submit(
              () ->
                  control.runInGroup(
                      spark,
                      () -> {
                        spark
                            .range(0, 2, 1, 2)
                            .foreach((ForeachFunction<Long>) x -> Thread.sleep(600_000));
                        return 0L;
                      }));
      int[] ids = {};
      for (int i = 0; i < 600 && ids.length == 0; i++) {
        Thread.sleep(100);
        ids = spark.sparkContext().statusTracker().getJobIdsForGroup(control.jobGroup());
      }
      assertThat(ids).as("the job started in its group").hasSize(1);

      control.cancel("the workflow was cancelled");

      assertThatThrownBy(() -> job.get(2, TimeUnit.MINUTES))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(JobCancelledException.class)
          .hasMessageContaining("the workflow was cancelled");
      // Spark's status tracker learns of the cancellation from its listener bus, a moment after
      // the job's caller does: wait (bounded) for it to leave RUNNING.
      SparkJobInfo info = spark.sparkContext().statusTracker().getJobInfo(ids[0]).get();
      for (int i = 0; i < 300 && info.status() == JobExecutionStatus.RUNNING; i++) {
        Thread.sleep(100);
        info = spark.sparkContext().statusTracker().getJobInfo(ids[0]).get();
      }
      assertThat(info.status()).isEqualTo(JobExecutionStatus.FAILED);
      // The thread's job group is cleared: its next job is nobody's to cancel.
      assertThat(spark.sparkContext().getLocalProperty("spark.jobGroup.id")).isNull();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Staging and moved-aside folders beside the outputs. */
  private java.util.List<String> leftovers() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".staging-") || n.contains(".replaced-"))
          .toList();
    }
  }
}
