package dev.trainyard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fault proxy in front of a real S3Proxy: each fault does to the client what it says. */
@ExtendWith(S3Extension.class)
class FaultProxyIT {
  @Test
  void passesTrafficThenRefusesWhenDownThenStallsSlowsAndResetsOnCommand(S3Server s3)
      throws Exception {
    URI direct = s3.endpoint();
    try (FaultProxy faults = FaultProxy.start()) {
      FaultProxy.Proxy proxy = faults.proxy("s3", direct.getHost(), direct.getPort());
      URI through = URI.create("http://" + proxy.address() + "/");

      int expected = get(direct, Duration.ofSeconds(30)).statusCode();
      assertEquals(expected, get(through, Duration.ofSeconds(30)).statusCode());

      proxy.down();
      assertThrows(ConnectException.class, () -> get(through, Duration.ofSeconds(30)));

      proxy.up();
      assertEquals(expected, get(through, Duration.ofSeconds(30)).statusCode());

      // A hung service: the connection is accepted and nothing comes back.
      proxy.timeout(Duration.ZERO);
      assertThrows(HttpTimeoutException.class, () -> get(through, Duration.ofSeconds(2)));
      proxy.remove("timeout");
      assertEquals(expected, get(through, Duration.ofSeconds(30)).statusCode());

      proxy.latency(Duration.ofMillis(800));
      long start = System.nanoTime();
      assertEquals(expected, get(through, Duration.ofSeconds(30)).statusCode());
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMs >= 800, "the answer came after " + tookMs + " ms, not delayed by 800");
      proxy.clearToxics();

      proxy.resetPeer(Duration.ZERO);
      IOException reset =
          assertThrows(IOException.class, () -> get(through, Duration.ofSeconds(30)));
      assertTrue(!(reset instanceof HttpTimeoutException), "a reset is not a timeout: " + reset);
      proxy.clearToxics();
      assertEquals(expected, get(through, Duration.ofSeconds(30)).statusCode());
    }
  }

  /** A fresh client each time, so no pooled connection hides what the proxy does to new ones. */
  private static HttpResponse<Void> get(URI uri, Duration timeout)
      throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    return client.send(
        HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
