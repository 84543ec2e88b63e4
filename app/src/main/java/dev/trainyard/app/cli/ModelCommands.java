package dev.trainyard.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.app.Json;
import dev.trainyard.app.config.Clients;
import dev.trainyard.registry.AliasHistory;
import dev.trainyard.registry.AliasMove;
import dev.trainyard.registry.AliasMovedException;
import dev.trainyard.registry.ArtifactFile;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ResourceNotFoundException;
import dev.trainyard.registry.Run;
import dev.trainyard.stack.StackException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Verbs over the MLflow model registry: list, promote, roll back, and follow lineage. */
final class ModelCommands {
  private ModelCommands() {}

  static final String CHAMPION = "champion";

  /** NAME@ALIAS or NAME/VERSION, resolved against the registry. */
  static ModelVersion resolve(MlflowClient mlflow, String ref) {
    int at = ref.lastIndexOf('@');
    int slash = ref.lastIndexOf('/');
    try {
      if (at > 0) {
        return mlflow
            .registry()
            .getModelVersionByAlias(ref.substring(0, at), ref.substring(at + 1));
      }
      if (slash > 0) {
        return mlflow.registry().getModelVersion(ref.substring(0, slash), ref.substring(slash + 1));
      }
    } catch (ResourceNotFoundException e) {
      throw new StackException(
          "No model version " + ref + " in MLflow (" + e.serverMessage() + ").",
          "List what exists with `./trainyard models NAME`.");
    }
    throw new StackException(
        "'" + ref + "' is not a model reference.",
        "Write NAME@ALIAS (e.g. churn@champion) or NAME/VERSION.");
  }

  @Command(
      name = "models",
      mixinStandardHelpOptions = true,
      description =
          "List a registered model's versions with their aliases and test metrics, their alias"
              + " moves (--history), or compare versions side by side (--compare V1 V2 ...).")
  static final class ListVersions implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME", description = "Registered model name.")
    String name;

    @Option(
        names = "--history",
        description =
            "List every recorded move of the aliases (champion, challenger): when, from which"
                + " version to which, by whom and why.")
    boolean history;

    @Option(
        names = "--compare",
        arity = "2..*",
        paramLabel = "VERSION",
        description =
            "Show these versions side by side: aliases, test metrics, params, dataset digest,"
                + " features, gate reasons; rows that differ are marked *. Prints the MLflow"
                + " compare-runs link. E.g. --compare 3 4.")
    List<String> compare;

    @Override
    public Integer call() {
      try (MlflowClient mlflow = Clients.mlflow(ctx.config())) {
        if (history) {
          printHistory(mlflow);
          return 0;
        }
        if (compare != null) {
          printComparison(mlflow);
          return 0;
        }
        List<ModelVersion> versions;
        Map<String, String> aliases;
        try {
          // Version searches leave aliases out; the registered model lists them (alias -> version).
          aliases = mlflow.registry().getRegisteredModel(name).aliases();
          versions = mlflow.registry().listModelVersions(name);
        } catch (ResourceNotFoundException e) {
          throw noSuchModel(ctx, name);
        }
        System.out.printf("%-8s %-22s %-20s %s%n", "VERSION", "ALIASES", "CREATED", "TEST METRICS");
        versions.stream()
            .sorted(
                Comparator.comparingInt((ModelVersion v) -> Integer.parseInt(v.version()))
                    .reversed())
            .forEach(
                v -> {
                  Map<String, String> metrics = new TreeMap<>();
                  v.tags()
                      .forEach(
                          (k, val) -> {
                            if (k.startsWith("test_")) {
                              metrics.put(
                                  k.substring(5), val.length() > 6 ? val.substring(0, 6) : val);
                            }
                          });
                  System.out.printf(
                      "%-8s %-22s %-20s %s%n",
                      v.version(),
                      String.join(
                          ",",
                          aliases.entrySet().stream()
                              .filter(a -> a.getValue().equals(v.version()))
                              .map(Map.Entry::getKey)
                              .sorted()
                              .toList()),
                      v.creationTime().toString().substring(0, 19),
                      metrics);
                });
        System.out.println(
            "\nMLflow UI: "
                + ctx.stack().mlflowTrackingUri().toString().replaceAll("/+$", "")
                + "/#/models/"
                + name);
      }
      return 0;
    }

    /** The versions in {@link #compare} side by side, one column each, and the MLflow link. */
    private void printComparison(MlflowClient mlflow) {
      Map<String, String> aliases;
      List<ModelVersion> all;
      try {
        aliases = mlflow.registry().getRegisteredModel(name).aliases();
        all = mlflow.registry().listModelVersions(name);
      } catch (ResourceNotFoundException e) {
        throw noSuchModel(ctx, name);
      }
      List<ModelVersion> versions = new ArrayList<>();
      for (String wanted : compare) {
        versions.add(
            all.stream()
                .filter(v -> v.version().equals(wanted))
                .findFirst()
                .orElseThrow(
                    () ->
                        new StackException(
                            "Model "
                                + name
                                + " has no version '"
                                + wanted
                                + "' (it has "
                                + String.join(
                                    ", ",
                                    all.stream()
                                        .map(ModelVersion::version)
                                        .sorted(Comparator.comparingInt(Integer::parseInt))
                                        .toList())
                                + ").",
                            "List them with `./trainyard models " + name + "`.")));
      }
      List<Run> runs = new ArrayList<>();
      for (ModelVersion v : versions) {
        runs.add(v.runId() == null ? null : mlflow.tracking().getRun(v.runId()));
      }
      // Row label -> one value per version, in the order given.
      Map<String, List<String>> rows = new LinkedHashMap<>();
      for (int i = 0; i < versions.size(); i++) {
        ModelVersion v = versions.get(i);
        Run run = runs.get(i);
        int col = i;
        cell(rows, "aliases", col, aliasesOf(aliases, v.version()));
        cell(rows, "created", col, v.creationTime().toString().substring(0, 19));
        cell(rows, "run", col, v.runId());
        cell(rows, "dataset sha256", col, v.tags().get("trainyard.dataset_sha256"));
        cell(rows, "features", col, v.tags().get("trainyard.features"));
        cell(rows, "device", col, v.tags().get("trainyard.device"));
        cell(rows, "gate", col, v.tags().get("trainyard.gate"));
        new TreeMap<>(v.tags())
            .forEach(
                (k, val) -> {
                  if (k.startsWith("test_")) {
                    cell(rows, "metric " + k, col, val);
                  }
                });
        if (run != null) {
          new TreeMap<>(run.data().params())
              .forEach((k, val) -> cell(rows, "param " + k, col, val));
        }
      }
      int width = 14;
      for (String label : rows.keySet()) {
        width = Math.max(width, label.length() + 2);
      }
      String format = "%-" + width + "s";
      StringBuilder header = new StringBuilder(String.format(format, "  VERSION"));
      for (ModelVersion v : versions) {
        header.append(String.format(" %-24s", v.version()));
      }
      System.out.println(header.toString().stripTrailing());
      rows.forEach(
          (label, values) -> {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < versions.size(); i++) {
              String val = i < values.size() && values.get(i) != null ? values.get(i) : "-";
              cells.add(val);
            }
            boolean differ = cells.stream().distinct().count() > 1;
            StringBuilder line =
                new StringBuilder(String.format(format, (differ ? "* " : "  ") + label));
            for (String c : cells) {
              line.append(String.format(" %-24s", c));
            }
            System.out.println(line.toString().stripTrailing());
          });
      List<String> runIds = runs.stream().filter(r -> r != null).map(Run::runId).toList();
      List<String> experiments =
          runs.stream()
              .filter(r -> r != null)
              .map(r -> r.info().experimentId())
              .distinct()
              .toList();
      System.out.println(
          "\nMLflow compare: "
              + ctx.stack().mlflowTrackingUri().toString().replaceAll("/+$", "")
              + "/#/compare-runs?runs="
              + jsonList(runIds)
              + "&experiments="
              + jsonList(experiments));
    }

    private static void cell(Map<String, List<String>> rows, String label, int col, String value) {
      List<String> values = rows.computeIfAbsent(label, k -> new ArrayList<>());
      while (values.size() < col) {
        values.add(null);
      }
      values.add(value);
    }

    private static String aliasesOf(Map<String, String> aliases, String version) {
      return String.join(
          ",",
          aliases.entrySet().stream()
              .filter(a -> a.getValue().equals(version))
              .map(Map.Entry::getKey)
              .sorted()
              .toList());
    }

    /** {@code ["a","b"]}: how MLflow's UI writes run and experiment ids in its compare URL. */
    private static String jsonList(List<String> ids) {
      return "[" + String.join(",", ids.stream().map(id -> "\"" + id + "\"").toList()) + "]";
    }

    private void printHistory(MlflowClient mlflow) {
      List<AliasMove> moves;
      try {
        moves = new AliasHistory(mlflow.registry()).list(name);
      } catch (ResourceNotFoundException e) {
        throw noSuchModel(ctx, name);
      }
      if (moves.isEmpty()) {
        System.out.println("No alias of " + name + " has been moved by Trainyard yet.");
        return;
      }
      System.out.printf(
          "%-24s %-10s %12s    %-8s %s%n", "WHEN", "ALIAS", "FROM -> TO", "", "BY / WHY");
      for (AliasMove m : moves) {
        System.out.printf(
            "%-24s %-10s %8s -> %-8s %s%n%51s%s%n",
            m.at(), m.alias(), m.from() == null ? "-" : m.from(), m.to(), m.by(), "", m.why());
      }
    }
  }

  private static StackException noSuchModel(Context ctx, String name) {
    return new StackException(
        "There is no registered model '"
            + name
            + "' in MLflow at "
            + ctx.stack().mlflowTrackingUri()
            + ".",
        "Train one with `./trainyard train --pipeline FILE`.");
  }

  /**
   * Moves champion from {@code from} (what the command read) to {@code to}, recorded in the alias
   * history under the user's name; fails if someone moved it since the read.
   */
  static void move(MlflowClient mlflow, String name, String from, String to, String why) {
    String user = System.getProperty("user.name");
    try {
      new AliasHistory(mlflow.registry())
          .move(name, CHAMPION, from, to, UUID.randomUUID().toString(), user, why);
    } catch (AliasMovedException e) {
      throw new StackException(
          "Champion of " + name + " moved while this command ran: " + e.getMessage() + ".",
          "Check `./trainyard models " + name + " --history`, then run the command again.");
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description =
          "Point alias 'champion' at a version (the previous champion is recorded for rollback).")
  static final class Promote implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @Override
    public Integer call() {
      try (MlflowClient mlflow = Clients.mlflow(ctx.config())) {
        ModelVersion target = resolve(mlflow, name + "/" + version);
        String previous =
            mlflow
                .registry()
                .findModelVersionByAlias(name, CHAMPION)
                .map(ModelVersion::version)
                .orElse(null);
        if (target.version().equals(previous)) {
          System.out.println(name + "/" + version + " is already the champion");
          return 0;
        }
        move(mlflow, name, previous, target.version(), "trainyard promote");
        if (previous != null) {
          mlflow
              .registry()
              .setModelVersionTag(name, version, "trainyard.previous_champion", previous);
        }
        System.out.println(
            "champion: "
                + name
                + "/"
                + version
                + (previous == null ? "" : " (was " + previous + ")"));
      }
      return 0;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "Move 'champion' back to the version it replaced.")
  static final class Rollback implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      try (MlflowClient mlflow = Clients.mlflow(ctx.config())) {
        ModelVersion current = resolve(mlflow, name + "@" + CHAMPION);
        String previous = current.tags().get("trainyard.previous_champion");
        if (previous == null) {
          throw new StackException(
              name
                  + "/"
                  + current.version()
                  + " did not replace another champion, so there is nothing to roll back to.",
              "Pick a version with `./trainyard promote " + name + " VERSION`.");
        }
        move(mlflow, name, current.version(), previous, "trainyard rollback");
        System.out.println(
            "champion: " + name + "/" + previous + " (rolled back from " + current.version() + ")");
      }
      return 0;
    }
  }

  @Command(
      name = "lineage",
      mixinStandardHelpOptions = true,
      description =
          "Print the chain from dataset to model version: each step's inputs, outputs and run.")
  static final class Lineage implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(
        paramLabel = "MODEL",
        description = "NAME@ALIAS or NAME/VERSION, e.g. churn@champion.")
    String ref;

    @Override
    public Integer call() throws Exception {
      try (MlflowClient mlflow = Clients.mlflow(ctx.config())) {
        ModelVersion v = resolve(mlflow, ref);
        Run run = mlflow.tracking().getRun(v.runId());
        System.out.println(
            v.name() + "/" + v.version() + "  aliases=" + v.aliases() + "  run=" + run.runId());
        System.out.println("workflow: " + run.tag("trainyard.workflow_id").orElse("?"));
        Path tmp = Files.createTempDirectory("lineage");
        List<ArtifactFile> files;
        try {
          files = mlflow.artifacts().list(run.info().artifactUri(), "lineage");
        } catch (ResourceNotFoundException e) {
          files = List.of();
        }
        for (String step : List.of("validate", "features", "train", "evaluate", "register")) {
          if (files.stream().noneMatch(f -> f.path().endsWith(step + ".json"))) {
            continue;
          }
          Path f =
              mlflow
                  .artifacts()
                  .download(
                      run.info().artifactUri(),
                      "lineage/" + step + ".json",
                      tmp.resolve(step + ".json"));
          JsonNode r = Json.MAPPER.readTree(f.toFile());
          System.out.println(
              "\n"
                  + step
                  + (r.path("cacheHit").asBoolean() ? "  (cache hit)" : "")
                  + "  attempt "
                  + r.path("attempt").asInt()
                  + ", "
                  + r.path("start").asText()
                  + " → "
                  + r.path("end").asText());
          JsonNode worker = r.path("worker");
          if (worker.hasNonNull("identity")) {
            System.out.println(
                "  worker: "
                    + worker.path("identity").asText()
                    + " ("
                    + worker.path("taskQueue").asText()
                    + ")");
          }
          for (JsonNode in : r.path("inputs")) {
            System.out.println("  in:  " + dataset(in));
          }
          for (JsonNode out : r.path("outputs")) {
            System.out.println("  out: " + dataset(out));
          }
        }
        System.out.println("\nmodel: " + v.source());
      }
      return 0;
    }

    private static String dataset(JsonNode d) {
      String fp = d.path("fingerprint").asText("");
      return d.path("uri").asText()
          + (fp.isEmpty() || fp.equals("null")
              ? ""
              : "  sha256:" + fp.substring(0, Math.min(16, fp.length())))
          + (d.path("rows").isNumber() ? "  rows=" + d.path("rows").asLong() : "");
    }
  }
}
