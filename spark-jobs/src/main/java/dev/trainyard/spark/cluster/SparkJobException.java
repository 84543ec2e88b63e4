package dev.trainyard.spark.cluster;

import org.apache.spark.launcher.SparkAppHandle;

/**
 * A submitted Spark job that did not produce a result. The message names the master URL, the
 * application id (when the cluster gave one), what happened and what to check; {@link #driverLog()}
 * is the local file with the driver's (client mode) or {@code spark-submit}'s (cluster mode)
 * output.
 */
public class SparkJobException extends RuntimeException {
  /** Why the job produced no result. */
  public enum Reason {
    /** No master answered at the URL: nothing was submitted. */
    UNREACHABLE_MASTER,
    /** The application was not accepted (RUNNING) within the submit timeout; it was killed. */
    SUBMIT_TIMEOUT,
    /** The job ran and threw: {@link #errorType()} and the message are the driver's. */
    JOB_ERROR,
    /** The driver or spark-submit exited with an error before writing a result. */
    FAILED,
    /** Killed from outside Trainyard (the master's UI, yarn application -kill, kubectl). */
    KILLED,
    /** The launcher lost track of the application (it exited without a final state). */
    LOST,
    /** {@link SubmittedJob#cancel()} stopped it. */
    CANCELLED
  }

  private final Reason reason;
  private final String master;
  private final String appId;
  private final SparkAppHandle.State state;
  private final String errorType;
  private final String driverLog;

  public SparkJobException(
      Reason reason,
      String message,
      String master,
      String appId,
      SparkAppHandle.State state,
      String errorType,
      String driverLog,
      Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.master = master;
    this.appId = appId;
    this.state = state;
    this.errorType = errorType;
    this.driverLog = driverLog;
  }

  public Reason reason() {
    return reason;
  }

  public String master() {
    return master;
  }

  /** The cluster's application id, or null when the job never got one. */
  public String appId() {
    return appId;
  }

  /** The launcher's last state (null when nothing was launched). */
  public SparkAppHandle.State state() {
    return state;
  }

  /** For {@link Reason#JOB_ERROR}: the driver's exception class; else null. */
  public String errorType() {
    return errorType;
  }

  /** The local log file of the driver / spark-submit, or null when nothing was launched. */
  public String driverLog() {
    return driverLog;
  }

  /**
   * Whether the same submission cannot succeed on a retry: bad input or a bad request ({@code
   * DataInputException}, {@code IllegalArgumentException} in the driver), or cancellation. Cluster
   * trouble (unreachable master, timeouts, lost executors, a killed app) may pass and is retryable.
   */
  public boolean isNonRetryable() {
    if (reason == Reason.CANCELLED) {
      return true;
    }
    return reason == Reason.JOB_ERROR
        && errorType != null
        && (errorType.equals("dev.trainyard.spark.io.DataInputException")
            || errorType.equals(IllegalArgumentException.class.getName()));
  }
}
