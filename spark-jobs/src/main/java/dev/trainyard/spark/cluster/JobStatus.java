package dev.trainyard.spark.cluster;

import org.apache.spark.launcher.SparkAppHandle;

/**
 * Where a submitted job stands, as the launcher last heard: a heartbeat's details.
 *
 * @param name the application name Trainyard gave it ({@code trainyard-KIND-ID})
 * @param state the launcher's state: UNKNOWN, CONNECTED, SUBMITTED, RUNNING, FINISHED, FAILED,
 *     KILLED, LOST
 * @param appId the cluster's application id once known, else null
 * @param seconds since submission
 */
public record JobStatus(
    JobKind kind,
    String name,
    String master,
    SparkAppHandle.State state,
    String appId,
    double seconds) {

  public boolean isFinal() {
    return state.isFinal();
  }

  @Override
  public String toString() {
    return kind
        + " job "
        + name
        + " on "
        + master
        + ": "
        + state
        + (appId == null ? "" : " (" + appId + ")")
        + String.format(" after %.0f s", seconds);
  }
}
