package dev.trainyard.image;

import dev.trainyard.training.EvaluationPlots;
import dev.trainyard.training.Predictions;
import dev.trainyard.training.TrainingTask;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Run inside the image's root filesystem by {@link WorkerImageIT}: draws the evaluation plots of a
 * small binary and multiclass model exactly as the worker does (headless JFreeChart:
 * libawt_headless, libfontmanager with freetype and harfbuzz, fontconfig, the DejaVu font) and
 * decodes each PNG back.
 */
public final class ChartProbe {
  private ChartProbe() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/chart-probe");
    int n = 400;
    float[] binary = new float[n * 2];
    float[] multi = new float[n * 3];
    double[] labels = new double[n];
    double[] classes = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      double p = ((i * 7919) % 1000) / 1000.0 * 0.6 + labels[i] * 0.4;
      binary[2 * i] = (float) (1 - p);
      binary[2 * i + 1] = (float) p;
      classes[i] = i % 3;
      int guess = i % 5 == 0 ? (i + 1) % 3 : i % 3;
      multi[3 * i + guess] = 0.8f;
      multi[3 * i + (guess + 1) % 3] = 0.1f;
      multi[3 * i + (guess + 2) % 3] = 0.1f;
    }
    List<Path> files =
        new java.util.ArrayList<>(
            EvaluationPlots.write(
                new Predictions(TrainingTask.binary(1), n, binary, labels).curves(), null, dir));
    files.addAll(
        EvaluationPlots.write(
            new Predictions(TrainingTask.multiclass(1, 3), n, multi, classes).curves(),
            List.of("a", "b", "c"),
            dir));
    int fewest = Integer.MAX_VALUE;
    for (Path f : files) {
      BufferedImage image = ImageIO.read(f.toFile());
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < image.getHeight(); y += 2) {
        for (int x = 0; x < image.getWidth(); x += 2) {
          colours.add(image.getRGB(x, y));
        }
      }
      fewest = Math.min(fewest, colours.size());
      System.out.println(f.getFileName() + " " + image.getWidth() + "x" + image.getHeight());
    }
    System.out.println(
        "charts "
            + files.size()
            + " fewest colours "
            + fewest
            + " headless "
            + java.awt.GraphicsEnvironment.isHeadless());
  }
}
