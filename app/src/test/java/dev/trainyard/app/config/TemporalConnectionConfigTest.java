package dev.trainyard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where Temporal's connection settings come from, lowest first: defaults, trainyard.yaml, the
 * Temporal TOML profile, the TEMPORAL_* variables.
 */
class TemporalConnectionConfigTest {
  @TempDir Path home;

  private Path toml(String text) throws IOException {
    Path f = home.resolve("temporal-" + Math.abs(text.hashCode()) + ".toml");
    Files.writeString(f, text);
    return f;
  }

  private Path yaml(String text) throws IOException {
    Path f = home.resolve("trainyard.yaml");
    Files.writeString(f, text);
    return f;
  }

  /** {@code kv} pairs over an empty Temporal TOML file, so the user's own file is never read. */
  private Map<String, String> env(String... kv) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_CONFIG_FILE", toml("").toString());
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  private TrainyardConfig load(Path yaml, Map<String, String> env) {
    return TrainyardConfig.load(home, yaml, env);
  }

  @Test
  void nothingSetIsTheLocalDevServerInPlainText() throws IOException {
    TrainyardConfig c = load(null, env());

    assertEquals("127.0.0.1:7233", c.stack().temporal().address());
    assertEquals("default", c.stack().temporal().namespace());
    assertFalse(c.temporalConnection().tls());
    WorkflowServiceStubsOptions o =
        TemporalClients.options(c.stack().temporal(), c.temporalConnection());
    assertEquals("127.0.0.1:7233", o.getTarget());
    assertNull(o.getSslContext());
    assertFalse(o.getEnableHttps());
  }

  @Test
  void yamlIsUsedWhereTemporalsOwnSettingsSayNothing() throws IOException {
    Path y = yaml("temporal:\n  address: yaml-host:7000\n  namespace: yaml-ns\n");

    TrainyardConfig c = load(y, env());

    assertEquals("yaml-host:7000", c.stack().temporal().address());
    assertEquals("yaml-ns", c.stack().temporal().namespace());
  }

  @Test
  void theTomlProfileWinsOverYamlAndTemporalVariablesWinOverTheProfile() throws IOException {
    Path y = yaml("temporal:\n  address: yaml-host:7000\n  namespace: yaml-ns\n");
    Path t =
        toml(
            """
            [profile.default]
            address = "toml-host:7233"
            namespace = "toml-ns"
            [profile.default.tls]
            server_name = "toml-name"
            """);

    TrainyardConfig c =
        load(y, env("TEMPORAL_CONFIG_FILE", t.toString(), "TEMPORAL_NAMESPACE", "env-ns"));

    assertEquals("toml-host:7233", c.stack().temporal().address());
    assertEquals("env-ns", c.stack().temporal().namespace());
    assertTrue(c.temporalConnection().tls());
    assertEquals("toml-name", c.temporalConnection().profile().getTls().getServerName());
    WorkflowServiceStubsOptions o =
        TemporalClients.options(c.stack().temporal(), c.temporalConnection());
    assertEquals("toml-host:7233", o.getTarget());
    assertNotNull(o.getSslContext());

    TrainyardConfig overridden =
        load(
            y,
            env(
                "TEMPORAL_CONFIG_FILE",
                t.toString(),
                "TEMPORAL_ADDRESS",
                "env-host:443",
                "TEMPORAL_TLS",
                "false"));
    assertEquals("env-host:443", overridden.stack().temporal().address());
    assertFalse(overridden.temporalConnection().tls());
    assertNull(
        TemporalClients.options(overridden.stack().temporal(), overridden.temporalConnection())
            .getSslContext());
  }

  @Test
  void temporalProfilePicksANamedProfileAndItsApiKeyTurnsOnTlsWithoutBeingPrinted()
      throws IOException {
    Path t =
        toml(
            """
            [profile.default]
            address = "local:7233"
            [profile.cloud]
            address = "ns.acct.tmprl.cloud:7233"
            namespace = "ns.acct"
            api_key = "s3cr3t-api-key"
            """);

    TrainyardConfig c =
        load(null, env("TEMPORAL_CONFIG_FILE", t.toString(), "TEMPORAL_PROFILE", "cloud"));

    assertEquals("ns.acct.tmprl.cloud:7233", c.stack().temporal().address());
    assertEquals("ns.acct", c.stack().temporal().namespace());
    assertTrue(c.temporalConnection().apiKey());
    assertTrue(c.temporalConnection().tls());
    assertTrue(
        TemporalClients.options(c.stack().temporal(), c.temporalConnection()).getEnableHttps());
    assertThat(c.toString()).doesNotContain("s3cr3t-api-key");
    assertThat(c.temporalConnection().toString()).contains("apiKey=set");
  }

  @Test
  void anUnknownProfileIsOneLineSayingWhatToFix() throws IOException {
    Path t = toml("[profile.default]\naddress = \"local:7233\"\n");

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(null, env("TEMPORAL_CONFIG_FILE", t.toString(), "TEMPORAL_PROFILE", "prod")));

    assertThat(e.getMessage())
        .contains("TEMPORAL_PROFILE is 'prod'")
        .contains("[profile.prod]")
        .doesNotContain("\n");
  }

  @Test
  void aMissingTemporalConfigFileIsAnError() {
    Path missing = home.resolve("nope.toml");

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load(null, Map.of("TEMPORAL_CONFIG_FILE", missing.toString())));

    assertThat(e.getMessage()).contains("TEMPORAL_CONFIG_FILE").contains(missing.toString());
  }

  @Test
  void anUnreadableClientKeyIsAConfigErrorNamingTheVariables() throws IOException {
    TrainyardConfig c =
        load(
            null,
            env(
                "TEMPORAL_TLS_CLIENT_CERT_PATH",
                home.resolve("no-cert.pem").toString(),
                "TEMPORAL_TLS_CLIENT_KEY_PATH",
                home.resolve("no-key.pem").toString()));

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> TemporalClients.options(c.stack().temporal(), c.temporalConnection()));

    assertThat(e.getMessage()).contains("TEMPORAL_TLS_CLIENT_CERT_PATH").doesNotContain("\n");
  }
}
