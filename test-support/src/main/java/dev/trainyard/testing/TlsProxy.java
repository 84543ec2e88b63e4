package dev.trainyard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS-terminating proxy in front of a plain-text gRPC server (the Temporal dev server has no TLS
 * flags): on loopback, it requires a client certificate signed by the test's CA, negotiates ALPN
 * {@code h2} (gRPC refuses a TLS connection without it), and pipes the decrypted bytes to the
 * upstream port. Bounded: at most {@link #MAX_CONNECTIONS} at once, and a handshake that stalls is
 * dropped after {@link #HANDSHAKE_TIMEOUT_MS}.
 */
public final class TlsProxy implements AutoCloseable {
  static final int MAX_CONNECTIONS = 64;
  static final int HANDSHAKE_TIMEOUT_MS = 10_000;

  private final SSLServerSocket server;
  private final int upstreamPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger handshakesFailed = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  private TlsProxy(SSLServerSocket server, int upstreamPort) {
    this.server = server;
    this.upstreamPort = upstreamPort;
    this.acceptor = new Thread(this::acceptLoop, "tls-proxy-accept");
    acceptor.setDaemon(true);
  }

  /** Listens on a free loopback port and forwards to {@code 127.0.0.1:upstreamPort}. */
  public static TlsProxy start(SSLContext serverTls, int upstreamPort) throws IOException {
    SSLServerSocket s =
        (SSLServerSocket)
            serverTls
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    s.setSSLParameters(parameters(s.getSSLParameters()));
    TlsProxy proxy = new TlsProxy(s, upstreamPort);
    proxy.acceptor.start();
    return proxy;
  }

  private static SSLParameters parameters(SSLParameters p) {
    p.setNeedClientAuth(true);
    p.setApplicationProtocols(new String[] {"h2"});
    return p;
  }

  /** The address clients connect to, host:port. */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** How many TLS handshakes the proxy refused or lost (a wrong client is refused here). */
  public int handshakesFailed() {
    return handshakesFailed.get();
  }

  private void acceptLoop() {
    while (!closed) {
      SSLSocket client;
      try {
        client = (SSLSocket) server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (open.size() >= MAX_CONNECTIONS) {
        closeQuietly(client);
        continue;
      }
      open.add(client);
      Thread t = new Thread(() -> serve(client), "tls-proxy-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(SSLSocket client) {
    Socket upstream = null;
    try {
      client.setSSLParameters(parameters(client.getSSLParameters()));
      client.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      try {
        client.startHandshake();
      } catch (IOException e) {
        handshakesFailed.incrementAndGet();
        return;
      }
      client.setSoTimeout(0); // gRPC streams idle for long polls
      upstream = new Socket();
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
      open.add(upstream);
      Socket up = upstream;
      Thread back = new Thread(() -> pipe(up, client), "tls-proxy-down");
      back.setDaemon(true);
      back.start();
      pipe(client, upstream);
    } catch (IOException e) {
      // The connection ends; the other side sees it closed, as with a real server.
    } finally {
      closeQuietly(client);
      if (upstream != null) {
        closeQuietly(upstream);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // One side went away.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // Already closed.
    }
    for (Socket s : Set.copyOf(open)) {
      closeQuietly(s);
    }
  }
}
