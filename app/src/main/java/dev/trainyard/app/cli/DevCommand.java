package dev.trainyard.app.cli;

import dev.trainyard.app.Json;
import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.stack.LocalService;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.MlflowAdmin;
import dev.trainyard.stack.ServiceStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Run the local stack: Temporal (with its Web UI), MLflow (with its UI) and an S3 store.",
      "Loopback only, no Docker; state under .trainyard/. Endpoints that point elsewhere",
      "(TEMPORAL_ADDRESS, MLFLOW_TRACKING_URI, AWS_ENDPOINT_URL_S3) are checked, not started."
    },
    subcommands = {
      DevCommand.Up.class,
      DevCommand.Down.class,
      DevCommand.Status.class,
      DevCommand.Logs.class
    })
public final class DevCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static LocalStack stack(Context ctx) {
    TrainyardConfig config = ctx.config();
    return new LocalStack(config.stack(), line -> System.err.println("  " + line))
        .probingTemporalWith(
            () -> TemporalClients.probe(config), config.temporalConnection().tls());
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description =
          "Install what is missing (first run only), start each service, wait until healthy,"
              + " print the UIs. Safe to run again.")
  static final class Up implements Callable<Integer> {
    @Mixin Context ctx;

    @Option(
        names = "--mlflow-auth",
        description = {
          "Start MLflow with its basic-auth app: every call needs a user. The admin's generated",
          "password is kept in the state folder (mlflow-admin, owner-only) and used by this",
          "checkout's commands when MLFLOW_TRACKING_USERNAME/PASSWORD are unset. Applies when",
          "MLflow starts: `dev down` first to switch a running one."
        })
    boolean mlflowAuth;

    @Override
    public Integer call() {
      MlflowAdmin admin = mlflowAuth ? MlflowAdmin.loadOrCreate(ctx.stack().stateDir()) : null;
      LocalStack stack =
          new LocalStack(ctx.stack(), line -> System.err.println("  " + line), admin)
              .probingTemporalWith(
                  () -> TemporalClients.probe(ctx.config()),
                  ctx.config().temporalConnection().tls());
      System.err.println("bringing up the local stack (state in " + ctx.stack().stateDir() + ")");
      List<ServiceStatus> statuses = new ArrayList<>();
      for (LocalService s : stack.services()) {
        ServiceStatus st = stack.ensureRunning(s, true);
        statuses.add(st);
        System.err.println("  " + s.title() + ": ready (" + origin(st) + ")");
      }
      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      printUis(out, statuses);
      if (admin != null) {
        printMlflowAuth(out, admin, ctx.stack().mlflowTrackingUri(), ctx.stack().stateDir());
      }
      return 0;
    }
  }

  /**
   * How to use the admin, without printing its password (terminals are logged and shared): the
   * export reads it from the private file.
   */
  static void printMlflowAuth(PrintWriter out, MlflowAdmin admin, URI mlflow, Path stateDir) {
    Path file = stateDir.resolve(MlflowAdmin.FILE);
    if (!requiresAuth(mlflow)) {
      out.println();
      out.println(
          "MLflow auth:  NOT on: MLflow was already running without it. Run `./trainyard dev down`,"
              + " then `./trainyard dev up --mlflow-auth`.");
      return;
    }
    out.println();
    out.println(
        "MLflow auth:  on; admin user '" + admin.username() + "', password in " + file + ".");
    out.println(
        "              This checkout's commands use it. For other clients (mlflow, Python, a"
            + " browser):");
    out.println("  export MLFLOW_TRACKING_USERNAME=" + admin.username());
    out.println("  export MLFLOW_TRACKING_PASSWORD=\"$(sed -n 's/^password=//p' " + file + ")\"");
  }

  /** Whether MLflow answers an unauthenticated API call with 401: the auth app is on. */
  static boolean requiresAuth(URI mlflow) {
    try {
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(mlflow + "/api/2.0/mlflow/experiments/search?max_results=1"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 401;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String origin(ServiceStatus st) {
    if (!st.managed()) {
      return "remote, " + st.detail();
    }
    return st.pid() != null ? "pid " + st.pid() : st.detail();
  }

  static void printUis(PrintWriter out, List<ServiceStatus> statuses) {
    out.println();
    for (ServiceStatus st : statuses) {
      switch (st.name()) {
        case "temporal" -> {
          out.println("Temporal UI:  " + st.links().get("ui"));
          out.println(
              "Temporal:     " + st.links().get("grpc").getAuthority() + "  (TEMPORAL_ADDRESS)");
        }
        case "mlflow" ->
            out.println("MLflow UI:    " + st.links().get("ui") + "  (MLFLOW_TRACKING_URI)");
        case "s3" ->
            out.println("S3 endpoint:  " + st.links().get("endpoint") + "  (AWS_ENDPOINT_URL_S3)");
        default -> out.println(st.title() + ": " + st.links());
      }
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = "Stop the services `dev up` started (only those); data stays in .trainyard/.")
  static final class Down implements Callable<Integer> {
    @Mixin Context ctx;

    @Override
    public Integer call() {
      List<String> stopped = stack(ctx).down();
      System.out.println(
          stopped.isEmpty() ? "nothing to stop" : "stopped: " + String.join(", ", stopped));
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Show each service's endpoint and health.",
        "Exit status: 0 when all are healthy, 3 when any is not."
      })
  static final class Status implements Callable<Integer> {
    @Mixin Context ctx;

    @Option(names = "--json", description = "Print JSON (stable field names, for scripts).")
    boolean json;

    @Override
    public Integer call() throws IOException {
      List<ServiceStatus> statuses = stack(ctx).status();
      boolean allHealthy = statuses.stream().allMatch(ServiceStatus::healthy);
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("healthy", allHealthy);
        List<Map<String, Object>> services = new ArrayList<>();
        for (ServiceStatus st : statuses) {
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("name", st.name());
          s.put("healthy", st.healthy());
          s.put("managed", st.managed());
          s.put("pid", st.pid());
          s.put("detail", st.detail());
          Map<String, String> links = new LinkedHashMap<>();
          st.links()
              .forEach((k, v) -> links.put(k, k.equals("grpc") ? v.getAuthority() : v.toString()));
          s.put("endpoints", links);
          services.add(s);
        }
        doc.put("services", services);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
      } else {
        for (ServiceStatus st : statuses) {
          System.out.printf(
              "%-9s %-8s %-32s %s%n",
              st.name(),
              st.healthy() ? "healthy" : "DOWN",
              st.links().values().iterator().next(),
              st.managed()
                  ? (st.pid() != null ? "pid " + st.pid() : "") + " " + st.detail()
                  : "remote " + st.detail());
        }
        if (!allHealthy) {
          System.out.println(
              "\nSome services are down: run `./trainyard dev up` (logs: `./trainyard dev logs`).");
        }
      }
      return allHealthy ? 0 : 3;
    }
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = "Print the services' logs (from .trainyard/logs/).")
  static final class Logs implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(
        arity = "0..1",
        paramLabel = "SERVICE",
        description = "temporal, mlflow or s3 (default: all).")
    String service;

    @Option(
        names = {"-n", "--lines"},
        defaultValue = "40",
        description = "Lines per log (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new lines (one service only).")
    boolean follow;

    @Override
    public Integer call() throws Exception {
      LocalStack stack = stack(ctx);
      List<LocalService> chosen =
          service == null ? stack.services() : List.of(stack.service(service));
      if (follow && chosen.size() != 1) {
        throw new dev.trainyard.stack.StackException(
            "--follow needs one service.", "Name it: `trainyard dev logs mlflow -f`.");
      }
      for (LocalService s : chosen) {
        Path log = ctx.stack().logFile(s.name());
        if (chosen.size() > 1) {
          System.out.println("==> " + log + " <==");
        }
        if (!Files.exists(log)) {
          System.out.println("(no log yet: " + s.title() + " has not been started by `dev up`)");
          continue;
        }
        long end = tail(log, lines);
        if (follow) {
          follow(log, end);
        }
      }
      return 0;
    }

    private static long tail(Path log, int n) throws IOException {
      Deque<String> last = new ArrayDeque<>();
      try (var r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          last.addLast(line);
          if (last.size() > n) {
            last.removeFirst();
          }
        }
      }
      last.forEach(System.out::println);
      return Files.size(log);
    }

    private static void follow(Path log, long from) throws IOException, InterruptedException {
      long pos = from;
      while (true) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
          if (f.length() > pos) {
            f.seek(pos);
            byte[] b = new byte[(int) (f.length() - pos)];
            f.readFully(b);
            System.out.print(new String(b, StandardCharsets.UTF_8));
            System.out.flush();
            pos = f.length();
          }
        }
        Thread.sleep(500);
      }
    }
  }
}
