package dev.trainyard.app.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.trainyard.activities.runtime.TrainyardMetrics;
import dev.trainyard.app.config.TrainyardConfig.MetricsEndpoint;
import dev.trainyard.stack.StackException;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The worker's Prometheus endpoint: one registry holding the Temporal SDK's metrics (through its
 * {@link MicrometerClientStatsReporter}, names {@code temporal_*}), Trainyard's ({@link
 * TrainyardMetrics}, names {@code trainyard_*}) and the JVM's ({@code jvm_*}, {@code process_*}),
 * served as text on {@code GET /metrics} by the JDK's own HTTP server.
 */
public final class WorkerMetrics implements AutoCloseable {
  /** How often the SDK's tally scope hands its numbers to the registry. */
  static final com.uber.m3.util.Duration TEMPORAL_REPORT_EVERY =
      com.uber.m3.util.Duration.ofSeconds(5);

  private final PrometheusMeterRegistry registry;
  private final Scope temporalScope;
  private final TrainyardMetrics trainyard;
  private final JvmGcMetrics gc;
  private final HttpServer server;
  private final ExecutorService executor;

  private WorkerMetrics(MetricsEndpoint endpoint) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.temporalScope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(TEMPORAL_REPORT_EVERY);
    this.trainyard = new TrainyardMetrics(registry);
    try {
      this.server = HttpServer.create(new InetSocketAddress(endpoint.host(), endpoint.port()), 0);
    } catch (IOException e) {
      closeScope(temporalScope);
      gc.close();
      throw new StackException(
          "Cannot serve metrics on "
              + endpoint.host()
              + ":"
              + endpoint.port()
              + ": "
              + e.getMessage()
              + ".",
          "Set TRAINYARD_METRICS_PORT to a free port (0: any free one) or off, and"
              + " TRAINYARD_METRICS_HOST to an address of this machine.",
          e);
    }
    server.createContext("/metrics", this::serveMetrics);
    server.createContext("/", WorkerMetrics::index);
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
  }

  /** The registry and the bound (not yet serving) port of {@code endpoint}. */
  public static WorkerMetrics open(MetricsEndpoint endpoint) {
    return new WorkerMetrics(endpoint);
  }

  /** Starts answering HTTP requests. */
  public void start() {
    server.start();
  }

  /** For {@code WorkflowServiceStubsOptions.setMetricsScope}: the SDK's metrics go here. */
  public Scope temporalScope() {
    return temporalScope;
  }

  public TrainyardMetrics trainyard() {
    return trainyard;
  }

  /** The port it listens on (the free one it took, for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://HOST:PORT/metrics}, the address Prometheus scrapes. */
  public String url() {
    String host = server.getAddress().getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port() + "/metrics";
  }

  /** Everything in Prometheus's text format: what {@code /metrics} answers. */
  public String scrape() {
    return registry.scrape();
  }

  private void serveMetrics(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void index(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body =
          "Trainyard worker: Prometheus metrics at /metrics\n".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    closeScope(temporalScope);
    gc.close();
    registry.close();
  }

  /** Closes the SDK's scope (it reports one last time); a failure to do so is not the worker's. */
  private static void closeScope(Scope scope) {
    try {
      scope.close();
    } catch (ScopeCloseException | RuntimeException ignored) {
      // nothing left to report to
    }
  }
}
