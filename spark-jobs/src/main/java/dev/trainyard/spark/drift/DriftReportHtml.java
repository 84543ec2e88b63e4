package dev.trainyard.spark.drift;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A scoring run's drift as one self-contained HTML page (MLflow shows HTML artifacts inline): per
 * feature PSI, the rise of the missing-value fraction and the unseen share, each with a small
 * inline SVG bar against its limit, flagged features highlighted; and the prediction drift (PSI of
 * the batch's predictions against the model's test-split predictions) with its bar. Inline CSS and
 * SVG only, no external reference, so it renders the same offline and inside MLflow's sandboxed
 * frame. Written as well-formed XHTML so any XML parser can check it; every data-derived text is
 * escaped.
 */
public final class DriftReportHtml {
  private DriftReportHtml() {}

  /**
   * @param title what was scored, e.g. {@code churn/3 on s3://lake/customers/2026-12-05}
   * @param predictionPsi the prediction drift, or null when the model has no reference
   * @param maxPsi the PSI limit to draw against (the spec's retraining limit), or null
   */
  public static String render(
      String title,
      Map<String, Double> psi,
      Map<String, Double> missingChange,
      Map<String, Double> unseenShare,
      Double predictionPsi,
      DriftLimits limits,
      Double maxPsi,
      List<DriftLimits.Violation> violations) {
    Set<String> features = new LinkedHashSet<>(psi.keySet());
    features.addAll(missingChange.keySet());
    features.addAll(unseenShare.keySet());
    Set<String> flagged = new LinkedHashSet<>();
    violations.forEach(v -> flagged.add(v.feature()));
    StringBuilder h = new StringBuilder(4096);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>")
        .append("<meta charset=\"utf-8\"/><title>Drift: ")
        .append(escape(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body><h1>Drift: ")
        .append(escape(title))
        .append("</h1>");
    if (violations.isEmpty()) {
      h.append("<p class=\"ok\">No feature over the limits.</p>");
    } else {
      h.append("<h2>Flagged</h2><ul>");
      for (DriftLimits.Violation v : violations) {
        h.append("<li>").append(escape(v.describe())).append("</li>");
      }
      h.append("</ul>");
    }
    if (predictionPsi != null) {
      boolean bad = predictionPsi > limits.maxPredictionPsi();
      h.append("<p id=\"prediction-drift\"")
          .append(bad ? " class=\"bad\"" : "")
          .append(">Prediction drift (PSI of the predictions against the model's test split): ")
          .append(num(predictionPsi))
          .append(' ')
          .append(bar(predictionPsi, limits.maxPredictionPsi(), bad))
          .append("</p>");
    }
    h.append("<p>Limits: missing-value rise ")
        .append(num(limits.maxMissingChange()))
        .append(", unseen share ")
        .append(num(limits.maxUnseenShare()))
        .append(", prediction PSI ")
        .append(num(limits.maxPredictionPsi()))
        .append(maxPsi == null ? "" : ", PSI " + num(maxPsi))
        .append(".</p><table><tr><th>feature</th><th>PSI</th><th>missing-value rise</th>")
        .append("<th>unseen share</th></tr>");
    for (String f : features) {
      h.append(flagged.contains(f) ? "<tr class=\"flagged\">" : "<tr>")
          .append("<td>")
          .append(escape(f))
          .append("</td>");
      cell(h, psi.get(f), maxPsi, false, f, violations);
      cell(h, missingChange.get(f), limits.maxMissingChange(), true, f, violations, "missing");
      cell(h, unseenShare.get(f), limits.maxUnseenShare(), false, f, violations, "unseen");
      h.append("</tr>");
    }
    return h.append("</table></body></html>\n").toString();
  }

  private static void cell(
      StringBuilder h,
      Double value,
      Double limit,
      boolean signed,
      String feature,
      List<DriftLimits.Violation> violations,
      String... measure) {
    if (value == null) {
      h.append("<td>–</td>");
      return;
    }
    boolean bad =
        limit != null
            && (measure.length == 0
                ? value > limit
                : violations.stream()
                    .anyMatch(v -> v.feature().equals(feature) && v.measure().equals(measure[0])));
    h.append(bad ? "<td class=\"bad\">" : "<td>")
        .append(signed && value > 0 ? "+" : "")
        .append(num(value))
        .append(' ')
        .append(bar(value, limit, bad))
        .append("</td>");
  }

  /** The pages' shared inline style sheet. */
  public static final String STYLE =
      "body{font-family:sans-serif;margin:1.5em;color:#222}"
          + "table{border-collapse:collapse}td,th{padding:.3em .7em;border-bottom:1px solid"
          + " #ddd;text-align:left;vertical-align:top}tr.flagged{background:#fde8e8}td.bad{color:#b00;"
          + "font-weight:bold}p.bad{color:#b00;font-weight:bold}.ok{color:#070}svg{vertical-align:middle}";

  /**
   * A 100-px bar of {@code value} on a scale of twice the limit (or 1 without one), the limit as a
   * line in the middle; inline SVG.
   */
  public static String bar(double value, Double limit, boolean bad) {
    double scale = limit != null && limit > 0 ? 2 * limit : 1;
    int width = (int) Math.round(Math.max(0, Math.min(1, value / scale)) * 100);
    StringBuilder s =
        new StringBuilder(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"104\" height=\"12\">"
                + "<rect x=\"0\" y=\"1\" width=\"100\" height=\"10\" fill=\"#eee\"/>");
    s.append("<rect x=\"0\" y=\"1\" width=\"")
        .append(width)
        .append("\" height=\"10\" fill=\"")
        .append(bad ? "#c33" : "#4a7")
        .append("\"/>");
    if (limit != null) {
      s.append("<line x1=\"50\" y1=\"0\" x2=\"50\" y2=\"12\" stroke=\"#222\"/>");
    }
    return s.append("</svg>").toString();
  }

  public static String num(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** Text for HTML/XML content and attribute values. */
  public static String escape(String text) {
    StringBuilder s = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> s.append("&amp;");
        case '<' -> s.append("&lt;");
        case '>' -> s.append("&gt;");
        case '"' -> s.append("&quot;");
        case '\'' -> s.append("&#39;");
        default -> s.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return s.toString();
  }
}
