package dev.trainyard.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker image Jib built in {@code package} (target/trainyard-worker-image.tar): its manifest
 * and config as a container runtime reads them, what its layers hold, and that its filesystem runs:
 * the layers are unpacked into a root and the image's own entrypoint runs there under {@code
 * chroot} as the image's user, with the image's environment (no container runtime is installed
 * here; {@code unshare} gives it its own /proc, as a runtime would).
 */
class WorkerImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path TAR = Path.of(System.getProperty("image.tar"));
  private static final Path WORK = Path.of(System.getProperty("image.work"));

  private static Path unpacked;
  private static JsonNode manifest;
  private static JsonNode config;
  private static List<List<String>> layerFiles;
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    assertThat(TAR).as("the image tar (built by ./mvnw package)").isRegularFile();
    deleteTree(WORK);
    unpacked = Files.createDirectories(WORK.resolve("tar"));
    run(List.of("tar", "-xf", TAR.toString(), "-C", unpacked.toString()), Map.of(), 120);
    manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile());
    config = JSON.readTree(unpacked.resolve(manifest.get(0).get("Config").asText()).toFile());
    root = Files.createDirectories(WORK.resolve("root"));
    layerFiles = new ArrayList<>();
    for (JsonNode layer : manifest.get(0).get("Layers")) {
      Path layerTar = unpacked.resolve(layer.asText());
      layerFiles.add(
          run(List.of("tar", "-tzf", layerTar.toString()), Map.of(), 120).lines().toList());
      run(
          List.of(
              "tar", "--warning=no-unknown-keyword", "-xzf", layerTar.toString(), "-C", "" + root),
          Map.of(),
          300);
    }
  }

  @Test
  void manifestNamesOneImageWithFourLayers() {
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).get("RepoTags").get(0).asText())
        .isEqualTo("trainyard/worker:" + System.getProperty("project.version"));
    // Jib's layers, least to most often changed... and the root filesystem: third-party jars,
    // Trainyard's own jars, the classpath file, the runtime (Java, libraries, /etc).
    assertThat(config.get("history").findValuesAsText("comment"))
        .containsExactly("dependencies", "project dependencies", "jvm arg files", "extra files");
    assertThat(manifest.get(0).get("Layers")).hasSize(4);
    assertThat(config.get("rootfs").get("diff_ids")).hasSize(4);
    assertThat(config.get("architecture").asText()).isEqualTo("amd64");
    assertThat(config.get("os").asText()).isEqualTo("linux");
  }

  @Test
  void configRunsTheWorkerAsANonRootUserWithSparksOpens() {
    JsonNode c = config.get("config");
    List<String> entrypoint = strings(c.get("Entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("/opt/java/bin/java");
    assertThat(entrypoint.subList(entrypoint.size() - 3, entrypoint.size()))
        .containsExactly("-cp", "@/app/jib-classpath-file", "dev.trainyard.app.cli.Main");
    // The same opens as ./trainyard and the tests (the parent pom's spark.java17.opens).
    List<String> opens =
        Arrays.stream(System.getProperty("spark.opens").trim().split("\\s+"))
            .filter(flag -> !flag.equals("-XX:+IgnoreUnrecognizedVMOptions"))
            .toList();
    assertThat(opens).hasSizeGreaterThan(10);
    assertThat(entrypoint).containsAll(opens);
    assertThat(strings(c.get("Cmd"))).containsExactly("worker");
    assertThat(c.get("User").asText()).isEqualTo("10001:10001");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/home/trainyard");
    assertThat(env())
        .containsEntry("PATH", "/opt/java/bin:/usr/bin")
        .containsEntry("JAVA_HOME", "/opt/java")
        .containsEntry("TRAINYARD_HEALTH_FILE", "/tmp/trainyard-worker.health");
    // The worker serves no port; Docker-format HEALTHCHECK is not something Jib writes: the label
    // carries the command the ECS task definition runs (terraform/modules/workers).
    assertThat(c.path("ExposedPorts").size()).isZero();
    assertThat(c.path("Healthcheck").isMissingNode()).isTrue();
    assertThat(c.get("Labels").get("dev.trainyard.healthcheck").asText())
        .contains("dev.trainyard.app.worker.WorkerHealth /tmp/trainyard-worker.health 60");
  }

  @Test
  void layersHoldTheJarsTheRuntimeAndTheUser() throws IOException {
    assertThat(layerFiles.get(0))
        .anyMatch(f -> f.matches("app/libs/spark-core_2\\.13-.*\\.jar"))
        .anyMatch(f -> f.matches("app/libs/pytorch-native-cpu-.*-linux-x86_64\\.jar"))
        .anyMatch(f -> f.matches("app/libs/temporal-sdk-.*\\.jar"));
    assertThat(layerFiles.get(1))
        .contains("app/libs/trainyard-app.jar")
        .anyMatch(f -> f.matches("app/libs/trainyard-activities-.*\\.jar"));
    assertThat(layerFiles.get(2)).contains("app/jib-classpath-file");
    assertThat(layerFiles.get(3))
        .contains(
            "opt/java/bin/java",
            "opt/java/lib/server/libjvm.so",
            "opt/java/lib/security/cacerts",
            "lib64/ld-linux-x86-64.so.2",
            "lib/x86_64-linux-gnu/libc.so.6",
            "usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "etc/passwd",
            "etc/os-release",
            "var/lib/dpkg/status");
    assertThat(Files.readString(root.resolve("etc/passwd")))
        .contains("trainyard:x:10001:10001:Trainyard worker:/home/trainyard:");
    assertThat(Files.readString(root.resolve("etc/os-release"))).contains("bookworm");
    assertThat(Files.readString(root.resolve("var/lib/dpkg/status")))
        .contains("Package: libc6", "Package: libstdc++6", "Status: install ok installed");
    assertThat(Files.readString(root.resolve("app/jib-classpath-file")))
        .startsWith("/app/resources:/app/classes:/app/libs/trainyard-app.jar:");
  }

  @Test
  void entrypointPrintsTheWorkersHelpInsideTheImage() throws Exception {
    List<String> command = new ArrayList<>(strings(config.get("config").get("Entrypoint")));
    command.addAll(List.of("worker", "--help"));
    String out = inImage(command, 120);
    assertThat(out)
        .contains("Usage: trainyard worker")
        .contains("--queues=QUEUE")
        .contains("--health-file=FILE");

    String version =
        inImage(List.of("/opt/java/bin/java", "-XshowSettings:properties", "-version"), 60);
    assertThat(version)
        .contains("java.home = /opt/java", "user.name = trainyard", "user.home = /home/trainyard")
        .contains("openjdk version \"17");
  }

  @Test
  void healthCheckCommandJudgesTheHealthFile() throws Exception {
    List<String> check =
        Arrays.asList(
            config
                .get("config")
                .get("Labels")
                .get("dev.trainyard.healthcheck")
                .asText()
                .split(" "));
    Path file = root.resolve("tmp/trainyard-worker.health");
    Files.deleteIfExists(file);
    Result missing = inImageResult(check, 60);
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.output()).contains("has not started polling");

    Files.writeString(file, "polling\n");
    Result fresh = inImageResult(check, 60);
    assertThat(fresh.exit()).as(fresh.output()).isZero();
    assertThat(fresh.output()).contains("healthy");
  }

  @Test
  void pytorchLoadsFromTheImagesLibraries() throws Exception {
    // The probe's class beside the image's classpath, in a folder of the unpacked root only.
    Path probe = root.resolve("probe");
    Path cls = Path.of("target/test-classes/dev/trainyard/image/PytorchProbe.class");
    Files.createDirectories(probe.resolve("dev/trainyard/image"));
    Files.copy(cls, probe.resolve("dev/trainyard/image/PytorchProbe.class"));
    Files.writeString(
        probe.resolve("classpath"),
        "/probe:" + Files.readString(root.resolve("app/jib-classpath-file")).trim());
    String out =
        inImage(
            List.of(
                "/opt/java/bin/java",
                "-cp",
                "@/probe/classpath",
                "dev.trainyard.image.PytorchProbe"),
            300);
    assertThat(out).contains("engine PyTorch 2.7.1 sum 6.5");
  }

  /**
   * The Spark path Terraform provisions (Spark in-process in the ECS worker task): Trainyard's
   * validation job runs on Spark inside the image, with the entrypoint's JVM flags, and finds the
   * rule the data breaks.
   */
  @Test
  void trainyardsSparkValidationJobRunsInsideTheImage() throws Exception {
    Path probe = root.resolve("probe");
    Files.createDirectories(probe.resolve("dev/trainyard/image"));
    Files.copy(
        Path.of("target/test-classes/dev/trainyard/image/SparkProbe.class"),
        probe.resolve("dev/trainyard/image/SparkProbe.class"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        probe.resolve("classpath"),
        "/probe:" + Files.readString(root.resolve("app/jib-classpath-file")).trim());
    // What a container runtime writes: Spark resolves the host's own name.
    Files.writeString(
        root.resolve("etc/hosts"),
        "127.0.0.1 localhost "
            + java.net.InetAddress.getLocalHost().getHostName()
            + "\n::1 localhost\n");
    List<String> command = new ArrayList<>();
    command.add("/opt/java/bin/java");
    for (String arg : strings(config.get("config").get("Entrypoint"))) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-D") || arg.startsWith("-XX")) {
        command.add(arg);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            "@/probe/classpath",
            "dev.trainyard.image.SparkProbe",
            "file:///tmp/probe-data.parquet"));
    String out = inImage(command, 300);
    assertThat(out)
        .contains("validated 1000 rows, passed false, violations [range:x]")
        .containsPattern("spark 4\\.1\\.");
  }

  @Test
  void chartsDrawHeadlessWithTheImagesFontsAndLibraries() throws Exception {
    // The evaluation plots need java.desktop's headless natives, freetype/harfbuzz, fontconfig and
    // a font, all from the root filesystem; the probe draws and decodes them inside it.
    assertThat(root.resolve("usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")).exists();
    assertThat(root.resolve("opt/java/lib/libfontmanager.so")).exists();
    assertThat(root.resolve("opt/java/lib/libawt_headless.so")).exists();
    Path probe = root.resolve("chart-probe");
    Files.createDirectories(probe.resolve("dev/trainyard/image"));
    Files.copy(
        Path.of("target/test-classes/dev/trainyard/image/ChartProbe.class"),
        probe.resolve("dev/trainyard/image/ChartProbe.class"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        probe.resolve("classpath"),
        "/chart-probe:" + Files.readString(root.resolve("app/jib-classpath-file")).trim());
    String out =
        inImage(
            List.of(
                "/opt/java/bin/java",
                "-cp",
                "@/chart-probe/classpath",
                "dev.trainyard.image.ChartProbe",
                "/tmp/chart-probe"),
            300);
    assertThat(out)
        .contains("roc.png 800x600", "confusion_matrix_normalized.png 800x600")
        .contains("charts 6 ")
        .contains("headless true");
    int fewest = Integer.parseInt(out.replaceAll("(?s).*fewest colours (\\d+).*", "$1"));
    assertThat(fewest).as(out).isGreaterThan(8);
  }

  // --- running a command in the unpacked image ---

  record Result(int exit, String output) {}

  private static String inImage(List<String> command, int timeoutSeconds) throws Exception {
    Result r = inImageResult(command, timeoutSeconds);
    assertThat(r.exit()).as("exit of %s:%n%s", command, r.output()).isZero();
    return r.output();
  }

  /**
   * {@code command} in the image's root as its user, with only its environment: {@code unshare}
   * mounts a /proc of its own (the JVM and the loader's $ORIGIN need one), {@code chroot} enters.
   */
  private static Result inImageResult(List<String> command, int timeoutSeconds) throws Exception {
    Path unshare = tool("unshare");
    Path chroot = tool("chroot");
    assumeTrue(
        unshare != null && chroot != null && "root".equals(System.getProperty("user.name")),
        "running the image's filesystem needs root with unshare and chroot");
    Files.createDirectories(root.resolve("proc"));
    List<String> full = new ArrayList<>();
    full.addAll(
        List.of(
            unshare.toString(),
            "--fork",
            "--pid",
            "--mount-proc=" + root.resolve("proc"),
            chroot.toString(),
            "--userspec=" + config.get("config").get("User").asText(),
            root.toString()));
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env());
    pb.environment().put("HOME", "/home/trainyard");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " ran past " + timeoutSeconds + "s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static Path tool(String name) {
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode kv : config.get("config").get("Env")) {
      String[] parts = kv.asText().split("=", 2);
      env.put(parts[0], parts[1]);
    }
    return env;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static String run(List<String> command, Map<String, String> env, int timeoutSeconds)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " ran past " + timeoutSeconds + "s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s:%n%s", command, text).isZero();
    return text;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
