package dev.trainyard.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoint directory of one training run. Each epoch goes to its own {@code epoch-NNNN/}
 * (parameters and Adam moments as DJL NDLists, {@code state.json}), written under a temporary name
 * and renamed into place, so a kill at any moment leaves only complete checkpoints. The latest
 * epoch and the best epoch are kept; older ones are deleted. The exported model goes to {@code
 * model/}.
 */
final class Checkpoints {
  static final int FORMAT_VERSION = 1;
  static final String PARAMETERS = "parameters.bin";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";
  static final String MODEL_DIR = "model";
  private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d+)");

  /**
   * What {@code state.json} holds.
   *
   * @param epoch the epoch this checkpoint ends (1-based)
   * @param bestEpoch the epoch with the best validation metric so far
   * @param bestMetrics that epoch's validation metrics
   * @param epochsWithoutImprovement epochs since the best one
   * @param stoppedEarly whether early stopping ended training after this epoch
   * @param optimizerSteps Adam's step count per parameter
   */
  record State(
      int formatVersion,
      int epoch,
      int bestEpoch,
      String primaryMetric,
      Map<String, Double> bestMetrics,
      int epochsWithoutImprovement,
      boolean stoppedEarly,
      int[] optimizerSteps,
      ModelSpec modelSpec,
      TrainingTask trainingTask) {}

  private final Path dir;

  Checkpoints(Path dir) {
    this.dir = dir;
  }

  Path epochDir(int epoch) {
    return dir.resolve(String.format("epoch-%04d", epoch));
  }

  /** The state of the newest complete checkpoint, if any. */
  Optional<State> latest() {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    int latest = 0;
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Matcher m = EPOCH_DIR.matcher(entry.getFileName().toString());
        if (m.matches() && Files.isRegularFile(entry.resolve(STATE))) {
          latest = Math.max(latest, Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
    }
    if (latest == 0) {
      return Optional.empty();
    }
    Path file = epochDir(latest).resolve(STATE);
    try {
      State state = Json.read(file, State.class);
      if (state.formatVersion() != FORMAT_VERSION) {
        throw new IllegalStateException(
            file
                + " has checkpoint format "
                + state.formatVersion()
                + ", expected "
                + FORMAT_VERSION
                + "; use a fresh checkpoint directory");
      }
      return Optional.of(state);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new IllegalStateException(
          "cannot read checkpoint "
              + file
              + ": "
              + e.getMessage()
              + "; delete the checkpoint directory to start over",
          e);
    }
  }

  /** Writes the checkpoint of {@code state.epoch()} atomically and prunes older ones. */
  Path write(State state, Block block, NDList optimizerMoments) {
    Path target = epochDir(state.epoch());
    Path temp = dir.resolve(".tmp-" + target.getFileName() + "-" + System.nanoTime());
    try {
      Files.createDirectories(temp);
      NDList parameters = new NDList();
      for (Parameter parameter : parameters(block)) {
        parameters.add(parameter.getArray());
      }
      writeDurably(temp.resolve(PARAMETERS), parameters.encode());
      writeDurably(temp.resolve(OPTIMIZER), optimizerMoments.encode());
      writeDurably(temp.resolve(STATE), Json.bytes(state));
      if (Files.exists(target)) {
        deleteTree(target); // a stale copy from an attempt that died after the rename
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target, e);
    } finally {
      deleteQuietly(temp);
    }
    prune(state.epoch(), state.bestEpoch());
    return target;
  }

  /**
   * Copies an epoch's parameters into the block's existing arrays. In place, because the DJL
   * trainer has already cached those arrays in its parameter store.
   */
  void loadParameters(int epoch, Block block, NDManager manager) {
    Path file = epochDir(epoch).resolve(PARAMETERS);
    List<Parameter> parameters = parameters(block);
    try (NDManager scratch = manager.newSubManager();
        InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      NDList saved = NDList.decode(scratch, in);
      if (saved.size() != parameters.size()) {
        throw new IllegalStateException(
            file + " holds " + saved.size() + " arrays, the model has " + parameters.size());
      }
      for (int i = 0; i < saved.size(); i++) {
        NDArray target = parameters.get(i).getArray();
        if (!saved.get(i).getShape().equals(target.getShape())) {
          throw new IllegalStateException(
              file
                  + ": parameter "
                  + parameters.get(i).getName()
                  + " has shape "
                  + saved.get(i).getShape()
                  + ", the model expects "
                  + target.getShape());
        }
        saved.get(i).copyTo(target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load checkpoint parameters " + file, e);
    }
  }

  NDList loadOptimizerMoments(int epoch, NDManager manager) {
    Path file = epochDir(epoch).resolve(OPTIMIZER);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return NDList.decode(manager, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load optimizer state " + file, e);
    }
  }

  /**
   * Replaces {@code model/} with what {@code writer} puts into a fresh directory, renaming it into
   * place so readers never see a half-written model.
   */
  Path publishModel(ModelWriter writer) {
    Path target = dir.resolve(MODEL_DIR);
    Path temp = dir.resolve(".tmp-" + MODEL_DIR + "-" + System.nanoTime());
    try {
      Files.createDirectories(temp);
      writer.writeTo(temp);
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model directory " + target, e);
    } finally {
      deleteQuietly(temp);
    }
  }

  /** Writes a model's files into a directory. */
  interface ModelWriter {
    void writeTo(Path dir) throws IOException;
  }

  static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        BufferedOutputStream out =
            new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel))) {
      out.write(bytes);
      out.flush();
      channel.force(true);
    }
  }

  private void prune(int latest, int best) {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        Matcher m = EPOCH_DIR.matcher(name);
        boolean oldEpoch =
            m.matches()
                && Integer.parseInt(m.group(1)) != latest
                && Integer.parseInt(m.group(1)) != best;
        if (oldEpoch || name.startsWith(".tmp-")) {
          deleteQuietly(entry);
        }
      }
    } catch (IOException e) {
      // Pruning is housekeeping: a leftover directory costs disk, not correctness.
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every filesystem lets a directory be synced; the rename is still atomic.
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException e) {
      // best effort
    }
  }

  static List<Parameter> parameters(Block block) {
    return block.getParameters().values();
  }
}
