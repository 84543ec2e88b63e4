package dev.trainyard.spark.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on loopback: one {@code Master} and {@code workers} {@code
 * Worker} processes ({@code java -cp SPARK_HOME/jars/*}, the Spark home built by {@link
 * SparkHome#fromClasspath} from the test class path's Spark jars, plus Spark's Java 17 options),
 * free ports, logs and work directories under {@code dir}. Each worker offers 1 core and 1 GB.
 * {@link #close()} stops the workers (and their executors) and the master.
 */
final class StandaloneCluster implements AutoCloseable {
  /** Spark's Java 17 options (the parent pom's spark.java17.opens). */
  static final List<String> OPENS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  /** JVM options that make short-lived JVMs start faster on a small machine. */
  static final String FAST_START = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  private final Path dir;
  private final Path sparkHome;
  private final int masterPort;
  private final int masterUiPort;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneCluster(Path dir, Path sparkHome, int masterPort, int masterUiPort) {
    this.dir = dir;
    this.sparkHome = sparkHome;
    this.masterPort = masterPort;
    this.masterUiPort = masterUiPort;
  }

  /** Starts the master and the workers and waits until every worker is registered and alive. */
  static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path home = SparkHome.fromClasspath(dir.resolve("spark-home"));
    StandaloneCluster cluster = new StandaloneCluster(dir, home, freePort(), freePort());
    try {
      cluster.launch(
          "master",
          "org.apache.spark.deploy.master.Master",
          "--host",
          "127.0.0.1",
          "--port",
          String.valueOf(cluster.masterPort),
          "--webui-port",
          String.valueOf(cluster.masterUiPort));
      cluster.waitForPort(cluster.masterPort, 60);
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        cluster.launch(
            "worker-" + i,
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(freePort()),
            "--webui-port",
            String.valueOf(freePort()),
            "--cores",
            "1",
            "--memory",
            "1g",
            "--work-dir",
            work.toString(),
            cluster.masterUrl());
      }
      cluster.waitForWorkers(workers, 90);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  Path sparkHome() {
    return sparkHome;
  }

  /** The master's state as JSON ({@code /json} of its web UI). */
  String masterState() throws IOException {
    HttpURLConnection http =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL().openConnection();
    http.setConnectTimeout(2000);
    http.setReadTimeout(5000);
    try (InputStream in = http.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      http.disconnect();
    }
  }

  /** How many applications the master lists as active. */
  int activeApps() throws IOException {
    String state = masterState();
    Matcher m = Pattern.compile("\"activeapps\"\\s*:\\s*\\[(.*?)]", Pattern.DOTALL).matcher(state);
    if (!m.find()) {
      throw new IllegalStateException("no activeapps in the master's state: " + state);
    }
    return m.group(1).isBlank() ? 0 : m.group(1).split("\"id\"").length - 1;
  }

  private void launch(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(Arrays.asList(FAST_START.split(" ")));
    command.addAll(OPENS);
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + "/*");
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("SPARK_LOCAL_DIRS", dir.resolve("local").toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.redirectErrorStream(true);
    builder.redirectOutput(dir.resolve(name + ".log").toFile());
    processes.add(builder.start());
  }

  private void waitForPort(int port, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      checkAlive();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException(
        "the Spark master did not listen on " + port + " within " + seconds + " s: " + logs());
  }

  private void waitForWorkers(int workers, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String state = "";
    while (System.nanoTime() < deadline) {
      checkAlive();
      try {
        state = masterState();
        Matcher alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(state);
        if (alive.find() && Integer.parseInt(alive.group(1)) >= workers) {
          return;
        }
      } catch (IOException e) {
        // UI not up yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(
        workers + " workers did not register within " + seconds + " s: " + state + logs());
  }

  private void checkAlive() {
    for (Process p : processes) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "a cluster process exited with " + p.exitValue() + ": " + logs());
      }
    }
  }

  private String logs() {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        all.append("\n--- ")
            .append(log.getFileName())
            .append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }

  /** Stops the workers first (with their executors and drivers), then the master. */
  @Override
  public void close() {
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      children.forEach(ProcessHandle::destroy);
    }
    for (Process p : reversed) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
