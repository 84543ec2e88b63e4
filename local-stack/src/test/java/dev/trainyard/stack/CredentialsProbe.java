package dev.trainyard.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** A separate JVM's first use of a state folder: waits for the go file, then prints the secret. */
public final class CredentialsProbe {
  private CredentialsProbe() {}

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[0]);
    Path go = Path.of(args[1]);
    System.out.println("ready");
    System.out.flush();
    while (!Files.exists(go)) {
      Thread.onSpinWait();
    }
    System.out.println("secret=" + LocalCredentials.loadOrCreate(state).secretAccessKey());
  }
}
