package dev.trainyard.stack;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.ServiceStubsOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trainyard's custom search attributes in a Temporal namespace: which are missing, registering them
 * (the local dev server, {@code dev up}), and what to tell an operator of any other server. The
 * names are the workflows' ({@code dev.trainyard.workflows.RunSearch}; a test in {@code app} keeps
 * the two lists equal): all {@code Keyword}.
 */
public final class TemporalSearchAttributes {
  /** The attributes the workflows upsert, in the order the docs list them. */
  public static final List<String> NAMES =
      List.of(
          "TrainyardPipeline",
          "TrainyardModel",
          "TrainyardModelVersion",
          "TrainyardOutcome",
          "TrainyardStep");

  private TemporalSearchAttributes() {}

  /** Operator-service stubs over the same connection settings (TLS, API key, headers). */
  public static OperatorServiceStubs operator(ServiceStubsOptions connection) {
    return OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder(connection).validateAndBuildWithDefaults());
  }

  /**
   * What is wrong with Trainyard's attributes in {@code namespace}: each missing name ({@code
   * missing}) or registered with another type than Keyword ({@code NAME is TYPE}); empty when all
   * five are usable.
   */
  public static List<String> problems(OperatorServiceStubs operator, String namespace) {
    ListSearchAttributesResponse r =
        operator
            .blockingStub()
            .listSearchAttributes(
                ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
    Map<String, IndexedValueType> custom = r.getCustomAttributesMap();
    List<String> problems = new ArrayList<>();
    for (String name : NAMES) {
      IndexedValueType type = custom.get(name);
      if (type == null) {
        problems.add(name + " missing");
      } else if (type != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD) {
        problems.add(
            name + " is " + type.name().replace("INDEXED_VALUE_TYPE_", "") + ", not Keyword");
      }
    }
    return problems;
  }

  /**
   * Registers the missing ones (as Keyword) in {@code namespace}; returns their names. Idempotent.
   */
  public static List<String> registerMissing(OperatorServiceStubs operator, String namespace) {
    Map<String, IndexedValueType> custom =
        operator
            .blockingStub()
            .listSearchAttributes(
                ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
            .getCustomAttributesMap();
    Map<String, IndexedValueType> add = new LinkedHashMap<>();
    for (String name : NAMES) {
      if (!custom.containsKey(name)) {
        add.put(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
    }
    if (!add.isEmpty()) {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(add)
                  .build());
    }
    return List.copyOf(add.keySet());
  }

  /** How an operator registers them: the Temporal CLI (self-hosted) and tcld (Temporal Cloud). */
  public static String howToRegister(String namespace) {
    StringBuilder cli =
        new StringBuilder(
            "temporal operator search-attribute create --namespace "
                + namespace
                + " --type Keyword");
    StringBuilder cloud =
        new StringBuilder("tcld namespace search-attributes add --namespace " + namespace);
    for (String name : NAMES) {
      cli.append(" --name ").append(name);
      cloud.append(" --search-attribute \"").append(name).append("=Keyword\"");
    }
    return "Register them once per namespace, then restart the worker: `"
        + cli
        + "` (self-hosted; `trainyard dev up` does it on the local dev server), or `"
        + cloud
        + "` (Temporal Cloud).";
  }
}
