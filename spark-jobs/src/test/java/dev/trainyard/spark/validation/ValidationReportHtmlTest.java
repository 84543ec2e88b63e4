package dev.trainyard.spark.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.spark.drift.DriftReportHtmlTest;
import java.util.List;
import java.util.Map;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The validation report's HTML page: violations and their columns visible, text escaped. */
class ValidationReportHtmlTest {
  @Test
  void violatedColumnsAreHighlightedWithTheirNumbers() throws Exception {
    String hostile = "plan<b>&";
    ValidationReport report =
        new ValidationReport(
            false,
            100,
            List.of(
                new ValidationReport.Violation(
                    "null_fraction", "age", "age: 40.0% null, over the 5.0% allowed")),
            Map.of(
                "age",
                new ValidationReport.ColumnStats("numeric", 40, 0.4, 18.0, 90.0, 45.5, null, null),
                hostile,
                new ValidationReport.ColumnStats(
                    "categorical",
                    0,
                    0.0,
                    null,
                    null,
                    null,
                    2L,
                    List.of(
                        new ValidationReport.CategoryCount("basic", 75),
                        new ValidationReport.CategoryCount("<script>", 25)))),
            Map.of("age", 0.31),
            null,
            null);
    DataProfile reference =
        new DataProfile(
            100,
            Map.of(),
            Map.of(hostile, new DataProfile.CategoricalProfile(100, Map.of("basic", 0.9), 0.1)));

    String html = ValidationReportHtml.render("s3://lake/in", report, reference);

    Document doc = DriftReportHtmlTest.parse(html);
    var x = XPathFactory.newInstance().newXPath();
    assertThat(x.evaluate("//tr[@class='flagged']/td[1]", doc)).isEqualTo("age");
    assertThat(x.evaluate("//tr[@class='flagged']/td[3]", doc)).startsWith("0.4000");
    assertThat(x.evaluate("//tr[@class='flagged']/td[4]", doc)).startsWith("0.3100");
    assertThat(x.evaluate("//li[@class='violation']", doc))
        .isEqualTo("null_fraction age: age: 40.0% null, over the 5.0% allowed");
    assertThat(x.evaluate("//tr[td[1]='plan<b>&']/td[5]/div[1]", doc))
        .isEqualTo(" basic 0.7500 / 0.9000");
    assertThat(x.evaluate("count(//script)", doc)).isEqualTo("0");
    assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=|url\\(|@import");
  }
}
