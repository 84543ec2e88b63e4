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

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
