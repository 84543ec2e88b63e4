package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every plot is a PNG that decodes, has the stated size and draws something (varied pixels). */
class EvaluationPlotsTest {
  @TempDir Path dir;

  /** Decodes a PNG and checks its size and that it is not blank; returns its distinct colours. */
  static int assertDrawn(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, png + " does not decode as an image");
    assertEquals(EvaluationPlots.WIDTH, image.getWidth(), png.toString());
    assertEquals(EvaluationPlots.HEIGHT, image.getHeight(), png.toString());
    Set<Integer> colours = new HashSet<>();
    long nonWhite = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff) {
          nonWhite++;
        }
      }
    }
    assertTrue(colours.size() >= 8, png + " has only " + colours.size() + " colours");
    assertTrue(nonWhite > 2000, png + " has only " + nonWhite + " non-white pixels");
    return colours.size();
  }

  @Test
  void binaryPlots() throws Exception {
    Random random = new Random(1);
    int n = 2000;
    float[] p = new float[n * 2];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextBoolean() ? 1 : 0;
      double s = 1 / (1 + Math.exp(-(2 * (y[i] - 0.5) * 2 + random.nextGaussian())));
      p[2 * i + 1] = (float) s;
      p[2 * i] = (float) (1 - s);
    }
    EvaluationCurves curves = new Predictions(TrainingTask.binary(1), n, p, y).curves();
    List<Path> files = EvaluationPlots.write(curves, null, dir);
    assertEquals(EvaluationPlots.namesFor(TrainingTask.Kind.BINARY).size(), files.size());
    for (Path f : files) {
      assertDrawn(f);
    }
    assertEquals(dir.resolve("roc.png"), files.get(0));
  }

  @Test
  void multiclassPlots() throws Exception {
    Random random = new Random(2);
    int n = 600;
    int k = 4;
    float[] p = new float[n * k];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(k);
      int guess = random.nextDouble() < 0.7 ? (int) y[i] : random.nextInt(k);
      for (int c = 0; c < k; c++) {
        p[i * k + c] = c == guess ? 0.7f : 0.1f;
      }
    }
    EvaluationCurves curves = new Predictions(TrainingTask.multiclass(1, k), n, p, y).curves();
    List<Path> files = EvaluationPlots.write(curves, List.of("cat", "dog", "bird", "fish"), dir);
    assertEquals(
        List.of(
            dir.resolve("confusion_matrix.png"), dir.resolve("confusion_matrix_normalized.png")),
        files);
    for (Path f : files) {
      assertDrawn(f);
    }
  }

  @Test
  void regressionPlots() throws Exception {
    Random random = new Random(3);
    int n = 1500;
    float[] p = new float[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextGaussian() * 10 + 50;
      p[i] = (float) (y[i] + random.nextGaussian() * 3);
    }
    EvaluationCurves curves = new Predictions(TrainingTask.regression(1), n, p, y).curves();
    List<Path> files = EvaluationPlots.write(curves, null, dir);
    assertEquals(
        List.of(dir.resolve("predicted_vs_actual.png"), dir.resolve("residuals.png")), files);
    for (Path f : files) {
      assertDrawn(f);
    }
  }

  @Test
  void degenerateInputsStillDraw() throws Exception {
    // one class only, one regression row: no exceptions, still an image
    EvaluationCurves binary =
        new Predictions(
                TrainingTask.binary(1),
                2,
                new float[] {0.4f, 0.6f, 0.3f, 0.7f},
                new double[] {1, 1})
            .curves();
    for (Path f : EvaluationPlots.write(binary, null, dir.resolve("b"))) {
      assertNotNull(ImageIO.read(f.toFile()));
    }
    EvaluationCurves regression =
        new Predictions(TrainingTask.regression(1), 1, new float[] {2f}, new double[] {2}).curves();
    for (Path f : EvaluationPlots.write(regression, null, dir.resolve("r"))) {
      assertNotNull(ImageIO.read(f.toFile()));
    }
  }
}
