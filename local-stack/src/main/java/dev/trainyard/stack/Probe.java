package dev.trainyard.stack;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Health checks that talk each service's own protocol. */
public final class Probe {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Probe() {}

  /** A probe's answer: healthy or not, and a short reason a user can read. */
  public record Result(boolean healthy, String detail) {
    static Result ok(String detail) {
      return new Result(true, detail);
    }

    static Result down(String detail) {
      return new Result(false, detail);
    }
  }

  /** GET {@code uri}; healthy when the status is in {@code [lo, hi]}. */
  public static Result http(URI uri, int lo, int hi) {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() >= lo && r.statusCode() <= hi
          ? Result.ok("HTTP " + r.statusCode())
          : Result.down("HTTP " + r.statusCode() + " from " + uri);
    } catch (ConnectException e) {
      return Result.down("connection refused at " + uri);
    } catch (HttpTimeoutException e) {
      return Result.down("no answer from " + uri + " within 5s");
    } catch (IOException e) {
      return Result.down(e.getClass().getSimpleName() + " at " + uri + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down("interrupted");
    }
  }

  /** The Temporal frontend's gRPC health service. */
  public static Result temporal(String address) {
    WorkflowServiceStubs stubs = null;
    try {
      stubs =
          WorkflowServiceStubs.newConnectedServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(address).build(),
              Duration.ofSeconds(3));
      var status = stubs.healthCheck().getStatus();
      return status.name().equals("SERVING")
          ? Result.ok("gRPC SERVING")
          : Result.down("gRPC health " + status + " at " + address);
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return Result.down("no Temporal frontend at " + address + " (" + firstLine(msg) + ")");
    } finally {
      if (stubs != null) {
        stubs.shutdownNow();
      }
    }
  }

  /** True when nothing listens on {@code host:port}, so a service can bind it. */
  public static boolean portFree(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port the OS says is free right now, for test stacks. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new StackException("Cannot find a free port: " + e.getMessage() + ".", "");
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
