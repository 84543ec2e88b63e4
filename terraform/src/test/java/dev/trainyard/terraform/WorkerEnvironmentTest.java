package dev.trainyard.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Terraform and the code agree on the workers' environment: every variable the workers module hands
 * a container (plain {@code environment} or ECS {@code secrets}) is one the code reads, by name, in
 * the Java sources or the {@code trainyard} launcher, or one of Temporal's standard client
 * variables, which the Temporal SDK's environment configuration reads. Catches a variable that
 * nothing reads (as TRAINYARD_EMR_* once was) and a renamed one.
 */
class WorkerEnvironmentTest {
  /** Temporal's environment configuration ({@code io.temporal.envconfig}): read by the SDK. */
  private static final Set<String> TEMPORAL_ENV_CONFIG =
      Set.of(
          "TEMPORAL_ADDRESS",
          "TEMPORAL_NAMESPACE",
          "TEMPORAL_API_KEY",
          "TEMPORAL_TLS",
          "TEMPORAL_TLS_CLIENT_CERT_DATA",
          "TEMPORAL_TLS_CLIENT_CERT_PATH",
          "TEMPORAL_TLS_CLIENT_KEY_DATA",
          "TEMPORAL_TLS_CLIENT_KEY_PATH",
          "TEMPORAL_TLS_SERVER_CA_CERT_DATA",
          "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
          "TEMPORAL_TLS_SERVER_NAME");

  /** Read by the {@code java} launcher itself, the image's entrypoint (image/pom.xml). */
  private static final Set<String> JAVA_LAUNCHER = Set.of("JDK_JAVA_OPTIONS");

  private static final Pattern NAME = Pattern.compile("\\{\\s*name\\s*=\\s*\"([A-Z][A-Z0-9_]*)\"");

  @Test
  void everyVariableTheWorkersGetIsReadByTheCode() throws IOException {
    Set<String> passed = passedToWorkers();
    assertThat(passed).as("variables found in modules/workers/main.tf").hasSizeGreaterThan(10);
    String code = codeThatReadsTheEnvironment();

    Set<String> unread = new TreeSet<>();
    for (String name : passed) {
      if (!TEMPORAL_ENV_CONFIG.contains(name)
          && !JAVA_LAUNCHER.contains(name)
          && !code.contains("\"" + name + "\"")
          && !code.contains("${" + name)
          && !code.contains("$" + name)) {
        unread.add(name);
      }
    }
    assertThat(unread)
        .as("variables the workers module passes but no Java source or the launcher reads")
        .isEmpty();
  }

  @Test
  void theWorkersGetTheirServicesAndCredentials() {
    assertThat(passedToWorkers())
        .contains(
            "TEMPORAL_ADDRESS",
            "TEMPORAL_NAMESPACE",
            "TEMPORAL_TLS",
            "MLFLOW_TRACKING_URI",
            "MLFLOW_TRACKING_USERNAME",
            "MLFLOW_TRACKING_PASSWORD",
            "AWS_ENDPOINT_URL_S3",
            "TRAINYARD_STATE_DIR")
        .noneMatch(n -> n.startsWith("TRAINYARD_EMR_"));
  }

  /** The names in the workers module's {@code { name = "X", value... }} entries. */
  private static Set<String> passedToWorkers() {
    Path workers = ToolRun.TERRAFORM_DIR.resolve("modules/workers/main.tf");
    try {
      Matcher m = NAME.matcher(Files.readString(workers));
      Set<String> names = new TreeSet<>();
      while (m.find()) {
        names.add(m.group(1));
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every main Java source of the repository, and the launcher, as one text. */
  private static String codeThatReadsTheEnvironment() throws IOException {
    Path root = ToolRun.repositoryRoot();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root, 20)) {
      sources =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/java/"))
              .filter(p -> !p.startsWith(root.resolve(".trainyard")))
              .toList();
    }
    assertThat(sources).as("Java sources under %s", root).isNotEmpty();
    StringBuilder all = new StringBuilder(Files.readString(root.resolve("trainyard")));
    for (Path p : sources) {
      all.append(Files.readString(p));
    }
    return all.toString();
  }
}
