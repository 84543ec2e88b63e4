package dev.trainyard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A TLS-terminating TCP proxy on loopback: {@code https://127.0.0.1:port} in front of a plain
 * {@code http} service, with a self-signed certificate for 127.0.0.1 that this class makes with the
 * JDK's {@code keytool}. Lets tests talk real TLS to a real service that only speaks HTTP.
 */
public final class HttpsProxy implements AutoCloseable {
  private static final String PASS = "test-only";

  private final SSLServerSocket server;
  private final InetSocketAddress target;
  private final Path certificatePem;
  private final Thread acceptor;

  private HttpsProxy(SSLServerSocket server, InetSocketAddress target, Path certificatePem) {
    this.server = server;
    this.target = target;
    this.certificatePem = certificatePem;
    this.acceptor = new Thread(this::acceptLoop, "tls-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a proxy to {@code target} (an http URI's host and port); key files go under {@code dir}.
   */
  public static HttpsProxy start(URI target, Path dir) throws IOException {
    Path keystore = dir.resolve("tls-proxy.p12");
    Path pem = dir.resolve("tls-proxy-cert.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "proxy",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "2",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "san=ip:127.0.0.1",
            "-keystore",
            keystore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            PASS,
            "-keypass",
            PASS));
    run(
        List.of(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "proxy",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASS,
            "-file",
            pem.toString()));
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, PASS.toCharArray());
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASS.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      SSLServerSocket socket =
          (SSLServerSocket)
              ctx.getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      return new HttpsProxy(socket, new InetSocketAddress(target.getHost(), target.getPort()), pem);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot set up the test TLS proxy", e);
    }
  }

  /** {@code https://127.0.0.1:port}. */
  public URI uri() {
    return URI.create("https://127.0.0.1:" + server.getLocalPort());
  }

  /** The proxy's self-signed certificate, PEM: what a client must trust. */
  public Path certificatePem() {
    return certificatePem;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 5000);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // closed, or one connection failed; the next accept decides
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // a failed handshake or a closed peer ends this connection
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tls-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
