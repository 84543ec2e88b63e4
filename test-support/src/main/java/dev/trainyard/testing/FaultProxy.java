package dev.trainyard.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.stack.ManagedProcess;
import dev.trainyard.stack.Probe;
import dev.trainyard.stack.Tools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Toxiproxy server (TCP fault proxy) on a free loopback port, for tests that inject network
 * faults between Trainyard and a real service: point the client at {@link Proxy#address()} instead
 * of the service, then take the link down, slow it, stall it or reset it. Installed by {@code
 * infra/local/install-toxiproxy.sh}, like the other services' programs.
 *
 * <pre>{@code
 * try (FaultProxy faults = FaultProxy.start()) {
 *   FaultProxy.Proxy s3 = faults.proxy("s3", "127.0.0.1", s3Port);
 *   s3.down();   // new connections are refused, open ones are cut
 *   s3.up();
 *   s3.latency(Duration.ofMillis(500));
 *   s3.clearToxics();
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String HOST = "127.0.0.1";

  private final ManagedProcess server;
  private final URI api;

  private FaultProxy(ManagedProcess server, URI api) {
    this.server = server;
    this.api = api;
  }

  /** Installs toxiproxy-server if needed and starts one, stopped by {@link #close()}. */
  public static FaultProxy start() {
    Path home = Checkout.root();
    Path binary =
        new Tools(
                home,
                home.resolve(".trainyard/tools"),
                line -> System.err.println("[fault-proxy] " + line))
            .toxiproxyServer();
    int port = Probe.freePort();
    Path dir;
    try {
      dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "toxiproxy-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a folder for toxiproxy's log", e);
    }
    ManagedProcess server =
        ManagedProcess.start(
            "toxiproxy",
            List.of(binary.toString(), "-host", HOST, "-port", Integer.toString(port)),
            Map.of(),
            dir,
            dir.resolve("toxiproxy.log"),
            false);
    FaultProxy proxy = new FaultProxy(server, URI.create("http://" + HOST + ":" + port));
    proxy.awaitReady();
    return proxy;
  }

  private void awaitReady() {
    // Startup wait, bounded so a server that cannot start fails the test with its log.
    for (int i = 0; i < 300; i++) {
      if (!server.isAlive()) {
        break;
      }
      if (Probe.http(api.resolve("/version"), 200, 299).healthy()) {
        return;
      }
      sleep(100);
    }
    String log = server.lastLogLines(20);
    server.stop(Duration.ofSeconds(2));
    throw new IllegalStateException("toxiproxy-server did not start at " + api + ":\n" + log);
  }

  /** A proxy listening on a free loopback port and forwarding to {@code host:port}. */
  public Proxy proxy(String name, String upstreamHost, int upstreamPort) {
    int listen = Probe.freePort();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("listen", HOST + ":" + listen);
    body.put("upstream", upstreamHost + ":" + upstreamPort);
    body.put("enabled", true);
    call("POST", "/proxies", body, 201);
    return new Proxy(name, listen);
  }

  @Override
  public void close() {
    server.stop(Duration.ofSeconds(5));
  }

  /** One link through the fault proxy; each fault lasts until it is removed. */
  public final class Proxy {
    private final String name;
    private final int port;

    private Proxy(String name, int port) {
      this.name = name;
      this.port = port;
    }

    public String host() {
      return HOST;
    }

    public int port() {
      return port;
    }

    /** {@code 127.0.0.1:port}, what the client should connect to instead of the service. */
    public String address() {
      return HOST + ":" + port;
    }

    /** Cuts every open connection and refuses new ones, like a stopped service. */
    public void down() {
      call("POST", "/proxies/" + name, Map.of("enabled", false), 200);
    }

    /** Accepts connections again. */
    public void up() {
      call("POST", "/proxies/" + name, Map.of("enabled", true), 200);
    }

    /** Delays every answer by {@code delay}. */
    public void latency(Duration delay) {
      toxic("latency", "latency", Map.of("latency", delay.toMillis(), "jitter", 0));
    }

    /**
     * Stops passing data; after {@code closeAfter} the connection is closed ({@link Duration#ZERO}:
     * held open and silent until the toxic is removed, like a hung service).
     */
    public void timeout(Duration closeAfter) {
      toxic("timeout", "timeout", Map.of("timeout", closeAfter.toMillis()));
    }

    /** Resets each connection (TCP RST) after {@code after}, like a crashed peer. */
    public void resetPeer(Duration after) {
      toxic("reset_peer", "reset_peer", Map.of("timeout", after.toMillis()));
    }

    /** Removes one fault added by the method of that name ({@code latency}, {@code timeout}...). */
    public void remove(String toxic) {
      call("DELETE", "/proxies/" + name + "/toxics/" + toxic, null, 204);
    }

    /** Removes every fault; the link passes data normally again (if it is up). */
    public void clearToxics() {
      for (String toxic : List.of("latency", "timeout", "reset_peer")) {
        HttpResponse<String> r = send("DELETE", "/proxies/" + name + "/toxics/" + toxic, null);
        if (r.statusCode() != 204 && r.statusCode() != 404) {
          throw new IllegalStateException("toxiproxy: removing " + toxic + ": " + r.body());
        }
      }
    }

    private void toxic(String toxicName, String type, Map<String, Object> attributes) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", toxicName);
      body.put("type", type);
      body.put("stream", "downstream");
      body.put("toxicity", 1.0);
      body.put("attributes", attributes);
      call("POST", "/proxies/" + name + "/toxics", body, 200);
    }
  }

  private void call(String method, String path, Object body, int expected) {
    HttpResponse<String> r = send(method, path, body);
    if (r.statusCode() != expected) {
      throw new IllegalStateException(
          "toxiproxy " + method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private HttpResponse<String> send(String method, String path, Object body) {
    try {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      return HTTP.send(
          HttpRequest.newBuilder(api.resolve(path))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .method(method, publisher)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("toxiproxy at " + api + " did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted talking to toxiproxy", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
