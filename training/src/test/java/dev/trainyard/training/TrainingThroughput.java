package dev.trainyard.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: measures training throughput on synthetic data. Run from the module directory after
 * {@code test-compile}, e.g. with a heap smaller than the data to show that training streams:
 *
 * <pre>
 * java -Xmx128m -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.trainyard.training.TrainingThroughput ROWS FEATURES EPOCHS
 * </pre>
 */
public final class TrainingThroughput {
  private TrainingThroughput() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int features = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    TrainingTask task = TrainingTask.binary(features);
    Path dir = Files.createTempDirectory("throughput");
    long start = System.nanoTime();
    Path train = FeatureData.of(task).rows(rows).files(8).seed(1).writeTo(dir.resolve("train"));
    Path validation =
        FeatureData.of(task)
            .rows(Math.max(1000, rows / 20))
            .files(1)
            .seed(2)
            .writeTo(dir.resolve("val"));
    System.out.printf(
        "wrote %d rows x %d features in %.1f s (max heap %d MiB)%n",
        rows, features, (System.nanoTime() - start) / 1e9, Runtime.getRuntime().maxMemory() >> 20);
    ModelSpec spec =
        ModelSpec.mlp(List.of(64, 32)).withEpochs(epochs).withBatchSize(256).withLearningRate(1e-3);
    TrainingResult result =
        new Trainer(spec, task)
            .train(
                train,
                validation,
                dir.resolve("checkpoints"),
                e ->
                    System.out.printf(
                        "epoch %d: %d rows in %.2f s = %.0f rows/s, train loss %.4f, val roc_auc %.4f%n",
                        e.epoch(),
                        e.trainRows(),
                        e.trainSeconds(),
                        e.trainRows() / e.trainSeconds(),
                        e.trainLoss(),
                        e.primaryValue()));
    System.out.println(result);
    Checkpoints.deleteTree(dir);
  }
}
