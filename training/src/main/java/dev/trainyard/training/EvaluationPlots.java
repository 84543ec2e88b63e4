package dev.trainyard.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws {@link EvaluationCurves} as PNG files with JFreeChart, headless (no display needed; the JVM
 * needs java.desktop's {@code libawt_headless}, {@code libfontmanager} and a font through
 * fontconfig — the worker image carries them, see image/README.md).
 *
 * <ul>
 *   <li>binary: {@code roc.png}, {@code pr.png}, {@code calibration.png}, {@code
 *       score_histogram.png}
 *   <li>multiclass: {@code confusion_matrix.png} (counts), {@code confusion_matrix_normalized.png}
 *       (each actual class's row sums to 1)
 *   <li>regression: {@code predicted_vs_actual.png}, {@code residuals.png}
 * </ul>
 */
public final class EvaluationPlots {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 600;
  static final int CALIBRATION_BINS = 10;
  static final int HISTOGRAM_BINS = 50;
  private static final Color DIAGONAL = new Color(150, 150, 150);

  static {
    // Before any AWT class loads: a worker has no display.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private EvaluationPlots() {}

  /** The file names {@link #write} writes for a task. */
  public static List<String> namesFor(TrainingTask.Kind task) {
    return switch (task) {
      case BINARY -> List.of("roc.png", "pr.png", "calibration.png", "score_histogram.png");
      case MULTICLASS -> List.of("confusion_matrix.png", "confusion_matrix_normalized.png");
      case REGRESSION -> List.of("predicted_vs_actual.png", "residuals.png");
    };
  }

  /**
   * Writes the task's plots into {@code dir} (created if needed), replacing files of the same name.
   *
   * @param classNames the classes' names by index, for the confusion matrix; null or too short:
   *     indices
   * @return the files written, in {@link #namesFor} order
   */
  public static List<Path> write(EvaluationCurves curves, List<String> classNames, Path dir) {
    List<JFreeChart> charts;
    if (curves instanceof EvaluationCurves.Binary b) {
      charts = List.of(roc(b), pr(b), calibration(b), histogram(b));
    } else if (curves instanceof EvaluationCurves.Multiclass m) {
      charts = List.of(confusion(m, classNames, false), confusion(m, classNames, true));
    } else {
      EvaluationCurves.Regression r = (EvaluationCurves.Regression) curves;
      charts = List.of(predictedVsActual(r), residuals(r));
    }
    List<String> names = namesFor(kind(curves));
    List<Path> out = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < charts.size(); i++) {
        Path file = dir.resolve(names.get(i));
        try (OutputStream o = Files.newOutputStream(file)) {
          ChartUtils.writeChartAsPNG(o, charts.get(i), WIDTH, HEIGHT);
        }
        out.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plots into " + dir, e);
    }
    return out;
  }

  private static TrainingTask.Kind kind(EvaluationCurves curves) {
    if (curves instanceof EvaluationCurves.Binary) {
      return TrainingTask.Kind.BINARY;
    }
    return curves instanceof EvaluationCurves.Multiclass
        ? TrainingTask.Kind.MULTICLASS
        : TrainingTask.Kind.REGRESSION;
  }

  static JFreeChart roc(EvaluationCurves.Binary b) {
    XYSeries s = series(String.format(Locale.ROOT, "model (AUC %.3f)", b.rocAuc()), b.roc());
    JFreeChart chart =
        lineChart(
            "ROC curve (" + b.rows() + " test rows)",
            "False positive rate",
            "True positive rate",
            s);
    diagonal(chart.getXYPlot(), 0, 0, 1, 1);
    unitAxes(chart.getXYPlot());
    return chart;
  }

  static JFreeChart pr(EvaluationCurves.Binary b) {
    XYSeries s =
        series(
            String.format(Locale.ROOT, "model (average precision %.3f)", b.averagePrecision()),
            b.precisionRecall());
    JFreeChart chart =
        lineChart("Precision-recall curve (" + b.rows() + " test rows)", "Recall", "Precision", s);
    double base = b.rows() == 0 ? 0 : (double) b.totalPositives() / b.rows();
    diagonal(chart.getXYPlot(), 0, base, 1, base);
    unitAxes(chart.getXYPlot());
    return chart;
  }

  static JFreeChart calibration(EvaluationCurves.Binary b) {
    XYSeries s = new XYSeries("model", false, true);
    for (EvaluationCurves.CalibrationBin bin : b.calibration(CALIBRATION_BINS)) {
      s.add(bin.meanPredicted(), bin.fractionPositive());
    }
    JFreeChart chart =
        lineChart(
            "Calibration (" + CALIBRATION_BINS + " bins)",
            "Mean predicted probability",
            "Fraction of positives",
            s);
    ((XYLineAndShapeRenderer) chart.getXYPlot().getRenderer()).setDefaultShapesVisible(true);
    diagonal(chart.getXYPlot(), 0, 0, 1, 1);
    unitAxes(chart.getXYPlot());
    return chart;
  }

  static JFreeChart histogram(EvaluationCurves.Binary b) {
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    double width = 1.0 / HISTOGRAM_BINS;
    String[] names = {"negative (0)", "positive (1)"};
    boolean[] which = {false, true};
    for (int k = 0; k < 2; k++) {
      long[] counts = b.histogram(which[k], HISTOGRAM_BINS);
      XYIntervalSeries s = new XYIntervalSeries(names[k]);
      for (int i = 0; i < counts.length; i++) {
        double lo = i * width;
        s.add(lo + width / 2, lo, lo + width, counts[i], 0, counts[i]);
      }
      data.addSeries(s);
    }
    JFreeChart chart =
        ChartFactory.createXYBarChart(
            "Score distribution by class",
            "Predicted probability of the positive class",
            false,
            "Rows",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYBarRenderer renderer = (XYBarRenderer) chart.getXYPlot().getRenderer();
    renderer.setSeriesPaint(0, new Color(31, 119, 180, 150));
    renderer.setSeriesPaint(1, new Color(255, 127, 14, 150));
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    style(chart);
    chart.getXYPlot().getDomainAxis().setRange(0, 1);
    return chart;
  }

  static JFreeChart confusion(
      EvaluationCurves.Multiclass m, List<String> classNames, boolean normalized) {
    int k = m.classes();
    double[][] norm = m.normalized();
    double[] xs = new double[k * k];
    double[] ys = new double[k * k];
    double[] zs = new double[k * k];
    long max = 1;
    for (long[] row : m.counts()) {
      for (long c : row) {
        max = Math.max(max, c);
      }
    }
    for (int a = 0; a < k; a++) {
      for (int p = 0; p < k; p++) {
        int i = a * k + p;
        xs[i] = p;
        ys[i] = a;
        zs[i] = normalized ? norm[a][p] : (double) m.counts()[a][p] / max;
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("cells", new double[][] {xs, ys, zs});
    String[] names = new String[k];
    for (int i = 0; i < k; i++) {
      names[i] = classNames != null && i < classNames.size() ? classNames.get(i) : "class " + i;
    }
    SymbolAxis x = new SymbolAxis("Predicted class", names);
    SymbolAxis y = new SymbolAxis("Actual class", names);
    y.setInverted(true);
    XYBlockRenderer renderer = new XYBlockRenderer();
    LookupPaintScale scale = new LookupPaintScale(0, 1.000001, Color.WHITE);
    for (int step = 0; step <= 20; step++) {
      float t = step / 20f;
      scale.add(t, new Color(1 - 0.85f * t, 1 - 0.6f * t, 1 - 0.3f * t));
    }
    renderer.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    Font font = new Font("SansSerif", Font.PLAIN, k <= 10 ? 14 : 9);
    for (int a = 0; a < k; a++) {
      for (int p = 0; p < k; p++) {
        String text =
            normalized
                ? String.format(Locale.ROOT, "%.2f", norm[a][p])
                : Long.toString(m.counts()[a][p]);
        XYTextAnnotation label = new XYTextAnnotation(text, p, a);
        label.setFont(font);
        double shade = normalized ? norm[a][p] : (double) m.counts()[a][p] / max;
        label.setPaint(shade > 0.6 ? Color.WHITE : Color.BLACK);
        plot.addAnnotation(label);
      }
    }
    JFreeChart chart =
        new JFreeChart(
            normalized
                ? "Confusion matrix, normalized by actual class (" + m.rows() + " test rows)"
                : "Confusion matrix, counts (" + m.rows() + " test rows)",
            JFreeChart.DEFAULT_TITLE_FONT,
            plot,
            false);
    NumberAxis legendAxis = new NumberAxis(normalized ? "share of the actual class" : "count");
    legendAxis.setRange(0, normalized ? 1 : max);
    LookupPaintScale legendScale =
        new LookupPaintScale(0, normalized ? 1.000001 : max + 1e-6, Color.WHITE);
    for (int step = 0; step <= 20; step++) {
      float t = step / 20f;
      legendScale.add(
          t * (normalized ? 1 : max), new Color(1 - 0.85f * t, 1 - 0.6f * t, 1 - 0.3f * t));
    }
    PaintScaleLegend legend = new PaintScaleLegend(legendScale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 40, 4);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  static JFreeChart predictedVsActual(EvaluationCurves.Regression r) {
    XYSeries s = new XYSeries(sampleNote(r), false, true);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < r.actual().length; i++) {
      s.add(r.actual()[i], r.predicted()[i]);
      lo = Math.min(lo, Math.min(r.actual()[i], r.predicted()[i]));
      hi = Math.max(hi, Math.max(r.actual()[i], r.predicted()[i]));
    }
    JFreeChart chart =
        ChartFactory.createScatterPlot(
            "Predicted vs actual",
            "Actual",
            "Predicted",
            new XYSeriesCollection(s),
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    style(chart);
    chart.getXYPlot().getRenderer().setSeriesPaint(0, new Color(31, 119, 180, 120));
    if (lo < hi) {
      diagonal(chart.getXYPlot(), lo, lo, hi, hi);
    }
    return chart;
  }

  static JFreeChart residuals(EvaluationCurves.Regression r) {
    HistogramDataset data = new HistogramDataset();
    double[] residuals = r.residuals();
    if (residuals.length > 0) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : residuals) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
      }
      data.addSeries(sampleNote(r), residuals, HISTOGRAM_BINS, lo, hi);
    }
    JFreeChart chart =
        ChartFactory.createHistogram(
            "Residuals (predicted - actual)",
            "Residual",
            "Rows",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYBarRenderer renderer = (XYBarRenderer) chart.getXYPlot().getRenderer();
    renderer.setSeriesPaint(0, new Color(31, 119, 180));
    renderer.setShadowVisible(false);
    style(chart);
    return chart;
  }

  private static String sampleNote(EvaluationCurves.Regression r) {
    return r.complete()
        ? "all " + r.rows() + " test rows"
        : "uniform sample of " + r.actual().length + " of " + r.rows() + " test rows";
  }

  private static XYSeries series(String name, List<EvaluationCurves.Point> points) {
    XYSeries s = new XYSeries(name, false, true);
    for (EvaluationCurves.Point p : points) {
      s.add(p.x(), p.y());
    }
    return s;
  }

  private static JFreeChart lineChart(String title, String x, String y, XYSeries series) {
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title,
            x,
            y,
            new XYSeriesCollection(series),
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    chart.getXYPlot().getRenderer().setSeriesStroke(0, new BasicStroke(2f));
    chart.getXYPlot().getRenderer().setSeriesPaint(0, new Color(31, 119, 180));
    style(chart);
    return chart;
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
  }

  private static void unitAxes(XYPlot plot) {
    plot.getDomainAxis().setRange(0, 1);
    plot.getRangeAxis().setRange(0, 1.02);
  }

  private static void diagonal(XYPlot plot, double x1, double y1, double x2, double y2) {
    plot.addAnnotation(
        new XYLineAnnotation(
            x1,
            y1,
            x2,
            y2,
            new BasicStroke(
                1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f),
            DIAGONAL));
  }
}
