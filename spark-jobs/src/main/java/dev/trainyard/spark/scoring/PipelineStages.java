package dev.trainyard.spark.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.sql.SparkSession;

/**
 * The fitted stages of a saved {@link PipelineModel}, loaded all at once.
 *
 * <p>Why not {@code PipelineModel.load}: it reads the stages one after another, and each stage's
 * metadata and data go through small Spark jobs of their own (a text read, a Parquet read, a {@code
 * head}). A scoring run spent about a second there on two cores, mostly waiting on job scheduling;
 * loading the stages on parallel threads takes about half. Each stage is still read by its own
 * class's reader, so the values are those {@code PipelineModel.load} gives.
 */
final class PipelineStages {
  private PipelineStages() {}

  /**
   * @param pipelineUri a folder written by {@code PipelineModel.save}: its stages lie in {@code
   *     stages/<index>_<uid>}, the index zero-padded to the same width, so names sort in order
   */
  static Transformer[] load(SparkSession spark, String pipelineUri) {
    List<Path> stages = new ArrayList<>();
    try {
      Path dir = new Path(pipelineUri, "stages");
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        // A pipeline without stages.
        return new Transformer[0];
      }
      for (FileStatus status : fs.listStatus(dir)) {
        if (status.isDirectory()) {
          stages.add(status.getPath());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the stages of the pipeline " + pipelineUri, e);
    }
    stages.sort(Comparator.comparing(Path::getName));
    if (stages.size() <= 1) {
      return stages.stream()
          .map(p -> (Transformer) DefaultParamsReader.loadParamsInstance(p.toString(), spark))
          .toArray(Transformer[]::new);
    }
    ExecutorService pool = Executors.newFixedThreadPool(stages.size());
    try {
      List<Future<Transformer>> loading = new ArrayList<>();
      for (Path stage : stages) {
        loading.add(
            pool.submit(() -> DefaultParamsReader.loadParamsInstance(stage.toString(), spark)));
      }
      Transformer[] loaded = new Transformer[stages.size()];
      for (int i = 0; i < loaded.length; i++) {
        loaded[i] = loading.get(i).get();
      }
      return loaded;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + pipelineUri, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(
          "cannot load the pipeline " + pipelineUri + ": " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
