package dev.trainyard.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of MLflow's client conventions: {@code MLFLOW_TRACKING_SERVER_CERT_PATH} (trust the
 * PEM certificates in that file, and only those, as {@code requests} does with {@code verify=path})
 * and {@code MLFLOW_TRACKING_INSECURE_TLS} (check nothing).
 */
final class MlflowTls {
  private static final Logger log = LoggerFactory.getLogger(MlflowTls.class);
  // Once per JVM: every client built from the same environment would repeat it otherwise.
  private static final AtomicBoolean WARNED_INSECURE = new AtomicBoolean();

  private MlflowTls() {}

  /** The SSL context for {@code config}, or empty for the JDK's default trust store. */
  static Optional<SSLContext> sslContext(MlflowConfig config) {
    if (config.insecureTls()) {
      if (WARNED_INSECURE.compareAndSet(false, true)) {
        log.warn(
            "{}=true: TLS certificates and host names of the MLflow server are NOT checked;"
                + " use {} with the server's CA instead outside of tests",
            MlflowConfig.INSECURE_TLS_VAR,
            MlflowConfig.SERVER_CERT_VAR);
      }
      return Optional.of(insecure());
    }
    return config.serverCertPath().map(MlflowTls::trusting);
  }

  /** A context that trusts exactly the certificates in the PEM file {@code pem}. */
  static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(
            MlflowConfig.SERVER_CERT_VAR + " names " + pem + ", which holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("mlflow-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          MlflowConfig.SERVER_CERT_VAR
              + " names "
              + pem
              + ", which could not be read as PEM certificates ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /**
   * A context that accepts any certificate. An {@link X509ExtendedTrustManager} is also where JSSE
   * checks the host name, so accepting here skips that check too, without the JDK-wide system
   * property that would turn it off for every other HTTP client in the worker.
   */
  static SSLContext insecure() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new AcceptAll()}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * The certificate problem behind a failed call: a handshake that failed on the certificate (not
   * trusted, wrong host name). A handshake cut off by a restarting server is not one: that may pass
   * on retry, an untrusted certificate never does.
   */
  static Optional<CertificateException> certificateFailure(Throwable t) {
    boolean handshake = false;
    for (Throwable c = t; c != null; c = c.getCause()) {
      handshake |= c instanceof SSLHandshakeException;
      if (handshake && c instanceof CertificateException ce) {
        return Optional.of(ce);
      }
    }
    return Optional.empty();
  }

  private static final class AcceptAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
