package dev.trainyard.spark.validation;

import static dev.trainyard.spark.drift.DriftReportHtml.bar;
import static dev.trainyard.spark.drift.DriftReportHtml.escape;
import static dev.trainyard.spark.drift.DriftReportHtml.num;

import dev.trainyard.spark.drift.DriftReportHtml;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The validation report as one self-contained HTML page (MLflow shows HTML artifacts inline): the
 * broken rules, then per column its null fraction, PSI against the champion's training profile,
 * numeric range, and the most frequent categories as inline SVG bars beside the reference's share.
 * Inline CSS and SVG only; well-formed XHTML; every data-derived text escaped (the page style is
 * {@link DriftReportHtml}'s).
 */
public final class ValidationReportHtml {
  private ValidationReportHtml() {}

  /**
   * @param title what was validated, e.g. the dataset URI
   * @param reference the champion's training profile the PSI was computed against, or null
   */
  public static String render(String title, ValidationReport report, DataProfile reference) {
    Set<String> broken = new HashSet<>();
    report.violations().forEach(v -> broken.add(v.column()));
    StringBuilder h = new StringBuilder(8192);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>")
        .append("<meta charset=\"utf-8\"/><title>Validation: ")
        .append(escape(title))
        .append("</title><style>")
        .append(DriftReportHtml.STYLE)
        .append("</style></head><body><h1>Validation: ")
        .append(escape(title))
        .append("</h1><p>")
        .append(report.rows())
        .append(" rows: ")
        .append(report.passed() ? "<span class=\"ok\">passed</span>" : "<b>failed</b>")
        .append("</p>");
    if (!report.violations().isEmpty()) {
      h.append("<h2>Violations</h2><ul>");
      for (ValidationReport.Violation v : report.violations()) {
        h.append("<li class=\"violation\"><b>")
            .append(escape(v.check()))
            .append("</b> ")
            .append(v.column() == null ? "" : escape(v.column()) + ": ")
            .append(escape(v.message()))
            .append("</li>");
      }
      h.append("</ul>");
    }
    h.append("<table><tr><th>column</th><th>kind</th><th>null fraction</th><th>PSI</th>")
        .append("<th>values (current")
        .append(reference == null ? "" : " / reference")
        .append(")</th></tr>");
    List<String> derived =
        report.trainingFilter() == null ? List.of() : report.trainingFilter().derivedColumns();
    for (Map.Entry<String, ValidationReport.ColumnStats> e : report.columns().entrySet()) {
      String column = e.getKey();
      ValidationReport.ColumnStats s = e.getValue();
      h.append(broken.contains(column) ? "<tr class=\"flagged\">" : "<tr>")
          .append("<td>")
          .append(escape(column))
          .append(derived.contains(column) ? " <small>(derived by the transform)</small>" : "")
          .append("</td><td>")
          .append(escape(s.kind()))
          .append("</td><td>")
          .append(num(s.nullFraction()))
          .append(' ')
          .append(bar(s.nullFraction(), null, false))
          .append("</td><td>");
      Double psi = report.psi().get(column);
      h.append(psi == null ? "–" : num(psi) + " " + bar(psi, 0.25, psi > 0.25)).append("</td><td>");
      if (s.min() != null) {
        h.append(
            String.format(
                Locale.ROOT, "min %.4g, mean %.4g, max %.4g", s.min(), s.mean(), s.max()));
      }
      long present = report.rows() - s.nullCount();
      DataProfile.CategoricalProfile ref =
          reference == null ? null : reference.categorical().get(column);
      for (ValidationReport.CategoryCount c : s.topCategories()) {
        double share = present <= 0 ? 0 : (double) c.count() / present;
        h.append("<div>")
            .append(bar(share, null, false))
            .append(' ')
            .append(escape(c.value()))
            .append(' ')
            .append(num(share));
        if (ref != null) {
          h.append(" / ").append(num(ref.frequencies().getOrDefault(c.value(), 0.0)));
        }
        h.append("</div>");
      }
      h.append("</td></tr>");
    }
    return h.append("</table></body></html>\n").toString();
  }
}
