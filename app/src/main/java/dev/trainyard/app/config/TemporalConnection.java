package dev.trainyard.app.config;

import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.ClientConfigTLS;

/**
 * How to talk to Temporal beyond its address and namespace: TLS (server CA, server name, host
 * verification), the mTLS client certificate and key, the API key and extra gRPC headers, as
 * Temporal's own environment configuration ({@code TEMPORAL_*} variables over a profile of the
 * Temporal CLI's TOML file) gives them. The address and namespace live in {@link
 * dev.trainyard.stack.StackConfig.TemporalEndpoint}; this profile's are ignored.
 *
 * @param profile the loaded profile; its secrets are never printed (see {@link #toString()})
 * @param source where it came from, for messages: the TOML file and profile, or the environment
 */
public record TemporalConnection(ClientConfigProfile profile, String source) {
  /** Plain-text gRPC, no credentials: the local dev server. */
  public static final TemporalConnection PLAINTEXT =
      new TemporalConnection(ClientConfigProfile.getDefaultInstance(), "defaults");

  /** Whether the connection is encrypted: TLS settings that are not disabled, or an API key. */
  public boolean tls() {
    if (tlsOff()) {
      return false;
    }
    if (profile.getTls() != null) {
      return true;
    }
    // Temporal's rule (envconfig, the CLI): an API key turns TLS on with the system's CAs.
    return apiKey();
  }

  /**
   * Whether TLS is switched off explicitly ({@code TEMPORAL_TLS=false}, {@code disabled = true}).
   */
  boolean tlsOff() {
    ClientConfigTLS t = profile.getTls();
    return t != null && Boolean.TRUE.equals(t.isDisabled());
  }

  /**
   * The profile to hand to envconfig's {@code toWorkflowServiceStubsOptions()}: envconfig 1.38
   * turns TLS on when {@code disabled} is true (it tests {@code !FALSE.equals(isDisabled())}), so a
   * switched-off TLS section is dropped here instead.
   */
  ClientConfigProfile forStubs() {
    return tlsOff() ? profile.toBuilder().setTls(null).build() : profile;
  }

  /** Whether a client certificate is configured (by path or PEM data). */
  public boolean clientCert() {
    ClientConfigTLS t = profile.getTls();
    return t != null
        && (notEmpty(t.getClientCertPath())
            || (t.getClientCertData() != null && t.getClientCertData().length > 0));
  }

  /** Whether an API key is configured. */
  public boolean apiKey() {
    return notEmpty(profile.getApiKey());
  }

  /** "mTLS", "TLS + API key", "TLS" or "plain text": how a status line says it connected. */
  public String describe() {
    if (!tls()) {
      return "plain text";
    }
    return clientCert() ? "mTLS" : apiKey() ? "TLS + API key" : "TLS";
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /**
   * What is configured, without any secret: the envconfig profile's own toString prints the API key
   * and PEM data, and configs end up in logs and exception messages.
   */
  @Override
  public String toString() {
    return "TemporalConnection[tls="
        + tls()
        + ", clientCert="
        + clientCert()
        + ", apiKey="
        + (apiKey() ? "set" : "unset")
        + ", source="
        + source
        + "]";
  }
}
