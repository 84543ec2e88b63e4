package dev.trainyard.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKI made by the {@code openssl} CLI for a test: a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate signed by it, plus an unrelated second CA (to play a
 * client that trusts the wrong one). PEM files, as Temporal's TLS settings take them.
 *
 * @param dir where the files are
 */
public record TestCertificates(Path dir) {
  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  public Path otherCaCert() {
    return dir.resolve("other-ca.pem");
  }

  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  /** Makes all the files in {@code dir} (EC P-256 keys, unencrypted PKCS#8, valid two days). */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    TestCertificates c = new TestCertificates(dir);
    selfSigned(dir, "ca", "trainyard-test-ca");
    selfSigned(dir, "other-ca", "trainyard-unrelated-ca");
    signed(dir, "server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    signed(dir, "client", "trainyard-test-client", "extendedKeyUsage=clientAuth\n");
    return c;
  }

  private static void selfSigned(Path dir, String name, String cn)
      throws IOException, InterruptedException {
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + cn);
  }

  private static void signed(Path dir, String name, String cn, String extensions)
      throws IOException, InterruptedException {
    openssl(
        dir,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + cn);
    Files.writeString(dir.resolve(name + ".ext"), extensions);
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".pem");
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl " + args[0] + " did not finish in 60s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "openssl " + String.join(" ", args) + " failed: " + Files.readString(log));
    }
  }

  /**
   * The server side's TLS: presents the server certificate, and trusts client certificates signed
   * by the CA (the proxy requires one).
   */
  public SSLContext serverContext() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] pw = "test".toCharArray();
    keys.setKeyEntry("server", privateKey(serverKey()), pw, new Certificate[] {cert(serverCert())});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pw);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", cert(caCert()));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static Certificate cert(Path pem) throws Exception {
    return CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
  }

  private static PrivateKey privateKey(Path pem) throws Exception {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }
}
