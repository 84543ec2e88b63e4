package dev.trainyard.app.cli;

import dev.trainyard.stack.StackConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Deep links into the Temporal and MLflow UIs, printed wherever a run starts or ends. */
final class Links {
  private Links() {}

  static URI workflow(StackConfig.TemporalEndpoint temporal, String workflowId) {
    String base = temporal.uiUri().toString().replaceAll("/+$", "");
    return URI.create(
        base + "/namespaces/" + enc(temporal.namespace()) + "/workflows/" + enc(workflowId));
  }

  static URI schedule(StackConfig.TemporalEndpoint temporal, String scheduleId) {
    String base = temporal.uiUri().toString().replaceAll("/+$", "");
    return URI.create(
        base + "/namespaces/" + enc(temporal.namespace()) + "/schedules/" + enc(scheduleId));
  }

  /** The MLflow UI's experiment search (the experiment id is only known once the run starts). */
  static URI experiment(URI mlflow, String experimentName) {
    String base = mlflow.toString().replaceAll("/+$", "");
    return URI.create(
        base + "/#/experiments?searchFilter=" + enc("name = '" + experimentName + "'"));
  }

  static URI modelVersion(URI mlflow, String name, String version) {
    String base = mlflow.toString().replaceAll("/+$", "");
    return URI.create(base + "/#/models/" + enc(name) + "/versions/" + enc(version));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
