package dev.trainyard.spark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.validation.DataValidation;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The job jar's main class, run by {@code spark-submit}:
 *
 * <pre>
 * spark-submit --master URL --class dev.trainyard.spark.cluster.JobMain \
 *     trainyard-spark-jobs-VERSION-job.jar KIND REQUEST_URI
 * </pre>
 *
 * {@code KIND} is {@code features}, {@code scoring} or {@code validation}; {@code REQUEST_URI} a
 * {@link JobRequest} JSON file on any Hadoop file system. Runs the engine on the session {@code
 * spark-submit} configured ({@code SparkSession.builder().getOrCreate()}, session time zone UTC as
 * in-process), writes a {@link JobOutcome} to the request's {@code resultUri} — the result, or the
 * error with its class and message — stops Spark, and exits non-zero when the job failed.
 */
public final class JobMain {
  /** Exit status of a job that failed (its outcome, when it could be written, says why). */
  public static final int FAILED = 1;

  /** Exit status of a command line that is not {@code KIND REQUEST_URI}. */
  public static final int USAGE = 64;

  private JobMain() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println(
          "usage: spark-submit ... --class "
              + JobMain.class.getName()
              + " JOB_JAR KIND REQUEST_URI   (KIND: features, scoring or validation)");
      System.exit(USAGE);
    }
    JobKind kind;
    try {
      kind = JobKind.parse(args[0]);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(USAGE);
      return;
    }
    if (!run(kind, args[1])) {
      System.exit(FAILED);
    }
  }

  /** Runs one job on this JVM's session and stops it; false when the job failed. */
  static boolean run(JobKind kind, String requestUri) {
    long start = System.nanoTime();
    SparkSession spark = SparkSession.builder().getOrCreate();
    String appId = spark.sparkContext().applicationId();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JobRequest request = null;
    try {
      spark.conf().set("spark.sql.session.timeZone", "UTC");
      request = JobRequest.fromJson(ClusterFiles.read(hadoop, requestUri));
      if (request.kind() != kind) {
        throw new IllegalArgumentException(
            "the command line says " + kind + " but " + requestUri + " is a " + request.kind());
      }
      if (request.resultUri() == null || request.resultUri().isBlank()) {
        throw new IllegalArgumentException(requestUri + " has no resultUri");
      }
      JsonNode result = execute(spark, request);
      ClusterFiles.write(
          hadoop,
          request.resultUri(),
          new JobOutcome(kind, JobOutcome.SUCCEEDED, appId, seconds(start), result, null, null)
              .toJson());
      return true;
    } catch (Throwable e) {
      System.err.println("trainyard " + kind + " job failed: " + e);
      e.printStackTrace();
      if (request != null && request.resultUri() != null) {
        try {
          ClusterFiles.write(
              hadoop,
              request.resultUri(),
              new JobOutcome(
                      kind,
                      JobOutcome.FAILED,
                      appId,
                      seconds(start),
                      null,
                      e.getClass().getName(),
                      message(e))
                  .toJson());
        } catch (RuntimeException written) {
          System.err.println("cannot write the job's outcome: " + written);
        }
      }
      return false;
    } finally {
      spark.stop();
    }
  }

  private static JsonNode execute(SparkSession spark, JobRequest request) {
    return switch (request.kind()) {
      case FEATURES -> {
        JobRequest.Features f = request.features();
        yield ClusterJson.MAPPER.valueToTree(
            FeatureJob.fitAndWrite(spark, f.input(), f.columns(), f.split(), f.outputUri()));
      }
      case SCORING -> ClusterJson.tree(ScoringJob.score(spark, request.scoring()).toJson());
      case VALIDATION -> {
        JobRequest.Validation v = request.validation();
        yield ClusterJson.tree(
            DataValidation.validate(spark, v.input(), v.columns(), v.rules(), v.championProfile())
                .toJson());
      }
    };
  }

  /** The message, then each distinct cause's, so a wrapped error keeps its root. */
  static String message(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && cause != e && depth < 5; depth++) {
      String m = cause.getMessage();
      if (m != null && !text.toString().contains(m)) {
        text.append("; caused by ").append(cause.getClass().getSimpleName()).append(": ").append(m);
      }
      e = cause;
      cause = cause.getCause();
    }
    String all = text.toString();
    return all.length() > 4000 ? all.substring(0, 4000) + " ..." : all;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
