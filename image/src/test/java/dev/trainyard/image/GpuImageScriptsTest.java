package dev.trainyard.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU image's scripts without a GPU or a torch install: {@code image/gpu/add_layer.py} writes
 * an image a runtime accepts (diff ids that match the layers, the base's layers untouched, the
 * environment merged), and {@code infra/gpu/build-djl-jni.sh} stops with a clear error before
 * building when its inputs are wrong. The real build (torch 2.7.1+cu126 from PyPI, the JNI library
 * compiled, the layered image run under chroot) is described in docs/gpu-workers.md.
 */
class GpuImageScriptsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Path.of(System.getProperty("trainyard.root", "..")).normalize();

  @TempDir Path tmp;

  private record Result(int exit, String out) {}

  private static Result run(List<String> command, Path dir) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String diffId(Path gzLayer) throws Exception {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gzLayer))) {
      return "sha256:" + sha256(in);
    }
  }

  /** A one-layer Docker-format image tar, as Jib writes it. */
  private Path baseImage() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("base"));
    Path files = Files.createDirectories(tmp.resolve("base-files/etc"));
    Files.writeString(files.resolve("hello"), "base layer\n");
    Path layer = dir.resolve("base-layer.tar.gz");
    assertThat(
            run(
                    List.of(
                        "tar", "-czf", layer.toString(), "-C", files.getParent().toString(), "."),
                    tmp)
                .exit())
        .isZero();
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "amd64").put("os", "linux");
    ObjectNode c = config.putObject("config");
    c.putArray("Env").add("PATH=/opt/java/bin:/usr/bin").add("LANG=C.UTF-8");
    c.putObject("Labels").put("dev.trainyard.healthcheck", "java ... WorkerHealth");
    c.put("User", "10001:10001");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(diffId(layer));
    config.putArray("history").addObject().put("comment", "extra files");
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    ArrayNode manifest = JSON.createArrayNode();
    ObjectNode image = manifest.addObject();
    image.put("Config", "config.json");
    image.putArray("RepoTags").add("trainyard/worker:1.0");
    image.putArray("Layers").add("base-layer.tar.gz");
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    Path tar = tmp.resolve("base.tar");
    assertThat(
            run(
                    List.of(
                        "tar",
                        "-cf",
                        tar.toString(),
                        "-C",
                        dir.toString(),
                        "manifest.json",
                        "config.json",
                        "base-layer.tar.gz"),
                    tmp)
                .exit())
        .isZero();
    return tar;
  }

  private Path gpuLayerRoot() throws IOException {
    Path root = tmp.resolve("layer");
    Path lib = Files.createDirectories(root.resolve("opt/djl/pytorch/2.7.1-cu126-linux-x86_64"));
    Path jni = Files.writeString(lib.resolve("0.36.0-libdjl_torch.so"), "not really ELF");
    Files.setPosixFilePermissions(jni, PosixFilePermissions.fromString("rwx------"));
    Path jna = Files.createDirectories(root.resolve("opt/djl/jna"));
    Files.createSymbolicLink(
        jna.resolve("libcudart.so"),
        Path.of("/opt/torch/torch/lib/../../nvidia/cuda_runtime/lib/libcudart.so.12"));
    return root;
  }

  private JsonNode[] addLayer(Path base, Path layerRoot, Path out) throws Exception {
    Result r =
        run(
            List.of(
                "python3",
                ROOT.resolve("image/gpu/add_layer.py").toString(),
                base.toString(),
                layerRoot.toString(),
                out.toString(),
                "--tag",
                "trainyard/worker:1.0-cu126",
                "--env",
                "PYTORCH_FLAVOR=cu126",
                "--env",
                "PATH=/opt/java/bin",
                "--label",
                "dev.trainyard.torch=2.7.1+cu126"),
            tmp);
    assertThat(r.exit()).as(r.out()).isZero();
    Path unpacked = Files.createDirectories(tmp.resolve("out-" + out.getFileName()));
    assertThat(run(List.of("tar", "-xf", out.toString(), "-C", unpacked.toString()), tmp).exit())
        .isZero();
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile());
    JsonNode config =
        JSON.readTree(unpacked.resolve(manifest.get(0).get("Config").asText()).toFile());
    return new JsonNode[] {manifest, config, JSON.valueToTree(unpacked.toString())};
  }

  @Test
  void addLayerAppendsOneLayerWhoseDiffIdMatchesAndKeepsTheBase() throws Exception {
    Path base = baseImage();
    JsonNode[] image = addLayer(base, gpuLayerRoot(), tmp.resolve("gpu.tar"));
    JsonNode manifest = image[0];
    JsonNode config = image[1];
    Path unpacked = Path.of(image[2].asText());

    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).get("RepoTags").get(0).asText())
        .isEqualTo("trainyard/worker:1.0-cu126");
    JsonNode layers = manifest.get(0).get("Layers");
    assertThat(layers).hasSize(2);
    assertThat(layers.get(0).asText()).isEqualTo("base-layer.tar.gz");
    // A runtime checks each layer against its diff id: the uncompressed layer's sha256.
    JsonNode diffIds = config.get("rootfs").get("diff_ids");
    assertThat(diffIds).hasSize(2);
    assertThat(diffIds.get(0).asText()).isEqualTo(diffId(unpacked.resolve("base-layer.tar.gz")));
    assertThat(diffIds.get(1).asText()).isEqualTo(diffId(unpacked.resolve(layers.get(1).asText())));
    // Environment merged: a variable set again is replaced, not duplicated; labels kept.
    List<String> env = JSON.convertValue(config.get("config").get("Env"), List.class);
    assertThat(env).containsExactly("LANG=C.UTF-8", "PYTORCH_FLAVOR=cu126", "PATH=/opt/java/bin");
    assertThat(config.get("config").get("Labels").get("dev.trainyard.healthcheck").asText())
        .isEqualTo("java ... WorkerHealth");
    assertThat(config.get("config").get("Labels").get("dev.trainyard.torch").asText())
        .isEqualTo("2.7.1+cu126");
    assertThat(config.get("config").get("User").asText()).isEqualTo("10001:10001");
    assertThat(config.get("history")).hasSize(2);

    // The layer: files owned by root and readable by the image's user, the symlink kept as one.
    String listing =
        run(List.of("tar", "-tvzf", unpacked.resolve(layers.get(1).asText()).toString()), tmp)
            .out();
    assertThat(listing)
        .contains(
            "opt/djl/jna/libcudart.so -> /opt/torch/torch/lib/../../nvidia/cuda_runtime/lib/libcudart.so.12")
        .containsPattern(
            "-rwxr-xr-x root/root +14 .* opt/djl/pytorch/2.7.1-cu126-linux-x86_64/0.36.0-libdjl_torch.so");
  }

  @Test
  void theSameInputsGiveTheSameLayer() throws Exception {
    Path base = baseImage();
    Path layer = gpuLayerRoot();
    JsonNode first = addLayer(base, layer, tmp.resolve("a.tar"))[0];
    JsonNode second = addLayer(base, layer, tmp.resolve("b.tar"))[0];
    assertThat(second.get(0).get("Layers")).isEqualTo(first.get(0).get("Layers"));
    assertThat(second.get(0).get("Config")).isEqualTo(first.get(0).get("Config"));
  }

  private Result buildJni(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("infra/gpu/build-djl-jni.sh").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("--out", tmp.resolve("djl").toString()));
    return run(command, tmp);
  }

  @Test
  void buildDjlJniRefusesJniSourcesOfAnotherDjlVersion() throws Exception {
    Result r = buildJni("--djl-version", "0.99.0", "--libtorch", tmp.toString());
    assertThat(r.exit()).isEqualTo(5);
    assertThat(r.out())
        .contains("error: version mismatch: the worker runs DJL 0.99.0")
        .contains("are DJL 0.36.0's")
        .contains("--jni-src");
    assertThat(tmp.resolve("djl")).doesNotExist();
  }

  @Test
  void buildDjlJniSaysWhatALibtorchLacks() throws Exception {
    Path notTorch = Files.createDirectories(tmp.resolve("site-packages/torch/lib"));
    Result r = buildJni("--libtorch", notTorch.getParent().toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out())
        .contains("is not a libtorch: no include/torch/csrc/api/include/torch/torch.h");

    Path headers =
        Files.createDirectories(
            notTorch.getParent().resolve("include/torch/csrc/api/include/torch"));
    Files.writeString(headers.resolve("torch.h"), "");
    r = buildJni("--libtorch", notTorch.getParent().toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).contains("is not a libtorch: no lib/libtorch.so");

    r = buildJni("--python", tmp.resolve("no-such-python").toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out())
        .contains("pass --python PY (a Python with torch installed) or --libtorch DIR");
  }

  @Test
  void buildDjlJniHelpListsItsOptions() throws Exception {
    Result r = run(List.of(ROOT.resolve("infra/gpu/build-djl-jni.sh").toString(), "--help"), tmp);
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("--python PY", "--libtorch DIR", "--out DIR", "--runtime-lib DIR", "--rebuild")
        .doesNotContain("set -euo pipefail");
  }
}
