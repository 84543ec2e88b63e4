package dev.trainyard.app.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerHealthTest {
  @TempDir Path dir;

  @Test
  void freshWhilePollingStaleAfterwards() throws Exception {
    Path file = dir.resolve("sub/worker.health");
    assertThat(WorkerHealth.check(file, Duration.ofSeconds(60), Instant.now()))
        .contains("has not started polling");

    AtomicBoolean polling = new AtomicBoolean(true);
    ScheduledExecutorService timer = WorkerHealth.beat(file, polling::get, Duration.ofMillis(50));
    try {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!Files.exists(file) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(WorkerHealth.check(file, Duration.ofSeconds(60), Instant.now())).isNull();

      polling.set(false);
      Thread.sleep(200);
      Instant later = Instant.now().plusSeconds(61);
      assertThat(WorkerHealth.check(file, Duration.ofSeconds(60), later))
          .contains("stopped polling or is stuck");
    } finally {
      timer.shutdownNow();
    }
  }
}
