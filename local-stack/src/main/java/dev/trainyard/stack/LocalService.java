package dev.trainyard.stack;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One service of the local stack: how to start it, where it listens, how to tell it is healthy. */
public interface LocalService {
  /** Short name used for logs, pid files and {@code dev logs NAME}: temporal, mlflow, s3. */
  String name();

  /** The name users know it by, for messages. */
  String title();

  /** The host it listens on; Trainyard only starts services whose host is loopback. */
  String host();

  /** Ports it binds when Trainyard starts it. */
  List<Integer> ports();

  /** Where users and programs reach it (gRPC address, UI URL, endpoint), in display order. */
  Map<String, URI> links();

  /** What to set to move it to another port or host, for the "port taken" message. */
  String relocationHint();

  Probe.Result probe();

  /**
   * Writes what the service needs before its first start (config, buckets) and returns the command.
   */
  List<String> prepare(Tools tools);

  Map<String, String> environment();

  Path workDir();

  /**
   * What to do once it answers on loopback, whoever started it (say, register what Trainyard
   * needs); {@code progress} gets one line per thing done.
   */
  default void whenHealthy(java.util.function.Consumer<String> progress) {}

  default boolean isManagedHere() {
    return StackConfig.isLoopback(host());
  }
}
