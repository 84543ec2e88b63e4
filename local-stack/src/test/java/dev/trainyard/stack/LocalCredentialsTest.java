package dev.trainyard.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two first uses of a state folder at once (two `trainyard` commands, or a command and a test
 * stack) must agree on one generated S3 key: before the fix some threw and some read an empty
 * secret from a half-written file.
 */
class LocalCredentialsTest {
  @TempDir Path dir;

  @Test
  void manyThreadsRacingOnAFreshStateFolderAllGetTheSameCompleteKey() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 40; round++) {
        Path state = dir.resolve("state-" + round);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<LocalCredentials>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return LocalCredentials.loadOrCreate(state);
                  }));
        }
        Set<String> secrets = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (Future<LocalCredentials> f : results) {
          LocalCredentials c = f.get(); // a thrown StackException fails the test here
          assertThat(c.secretAccessKey()).as("round %d", round).isNotBlank();
          assertThat(c.accessKeyId()).as("round %d", round).isNotBlank();
          secrets.add(c.secretAccessKey());
          keys.add(c.accessKeyId());
        }
        assertThat(secrets).as("round %d: secrets handed out", round).hasSize(1);
        assertThat(keys).as("round %d: key ids handed out", round).hasSize(1);
        assertThat(LocalCredentials.loadOrCreate(state).secretAccessKey())
            .isEqualTo(secrets.iterator().next());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void severalProcessesRacingOnAFreshStateFolderAllGetTheSameCompleteKey() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    for (int round = 0; round < 3; round++) {
      Path state = dir.resolve("proc-state-" + round);
      Path go = dir.resolve("go-" + round);
      List<Process> procs = new ArrayList<>();
      List<Path> outs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Path out = dir.resolve("out-" + round + "-" + i);
        outs.add(out);
        procs.add(
            new ProcessBuilder(
                    java,
                    "-cp",
                    classpath,
                    CredentialsProbe.class.getName(),
                    state.toString(),
                    go.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start());
      }
      // Every process waits for this file, so their first uses overlap.
      waitForReady(outs);
      Files.createFile(go);
      Set<String> secrets = new HashSet<>();
      for (int i = 0; i < procs.size(); i++) {
        int rc = procs.get(i).waitFor();
        String out = Files.readString(outs.get(i), StandardCharsets.UTF_8).trim();
        assertThat(rc).as("process %d printed: %s", i, out).isZero();
        String secret = out.substring(out.lastIndexOf('\n') + 1).replace("secret=", "");
        assertThat(secret).as("process %d", i).isNotBlank();
        secrets.add(secret);
      }
      assertThat(secrets).as("round %d: secrets the processes got", round).hasSize(1);
      assertThat(LocalCredentials.loadOrCreate(state).secretAccessKey())
          .isEqualTo(secrets.iterator().next());
    }
  }

  @Test
  void theFileIsPrivateAndReadBackUnchanged() throws IOException {
    LocalCredentials first = LocalCredentials.loadOrCreate(dir.resolve("s"));
    LocalCredentials again = LocalCredentials.loadOrCreate(dir.resolve("s"));

    assertThat(again).isEqualTo(first);
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("s/credentials"))))
        .isEqualTo("rw-------");
  }

  private static void waitForReady(List<Path> outs) throws Exception {
    for (Path out : outs) {
      while (!Files.readString(out, StandardCharsets.UTF_8).contains("ready")) {
        Thread.sleep(20);
      }
    }
  }
}
