package dev.trainyard.spark.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The scoring run's HTML drift report: well-formed, self-contained, escaped, flags visible. */
public class DriftReportHtmlTest {
  public static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    // The doctype names no DTD; never fetch one.
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void flaggedFeaturesAreHighlightedWithTheirNumbersAndHostileNamesAreEscaped() throws Exception {
    String hostile = "<script>alert('x')</script>&co";
    DriftLimits limits = DriftLimits.defaults();
    Map<String, Double> missing = Map.of("age", 0.4, hostile, 0.0);
    Map<String, Double> unseen = Map.of(hostile, 0.5);
    List<DriftLimits.Violation> flagged = limits.violations(missing, unseen, 0.7);

    String html =
        DriftReportHtml.render(
            "churn/3 on s3://lake/<in>",
            Map.of("age", 0.01, hostile, 0.3),
            missing,
            unseen,
            0.7,
            limits,
            0.2,
            flagged);

    Document doc = parse(html);
    var xpath = XPathFactory.newInstance().newXPath();
    NodeList rows =
        (NodeList) xpath.evaluate("//tr[@class='flagged']", doc, XPathConstants.NODESET);
    assertThat(rows.getLength()).isEqualTo(2);
    assertThat(xpath.evaluate("//tr[@class='flagged'][td[1]='age']/td[3]", doc))
        .startsWith("+0.4000");
    assertThat(xpath.evaluate("//li", doc)).isEqualTo("age: missing +0.400 > 0.100");
    // Prediction drift: in the flagged list and on its own line, with its number, highlighted.
    assertThat(xpath.evaluate("//li[last()]", doc)).isEqualTo("predictions: psi 0.700 > 0.250");
    assertThat(xpath.evaluate("//p[@id='prediction-drift' and @class='bad']", doc))
        .contains("0.7000");
    // The hostile name is text, never markup.
    assertThat(xpath.evaluate("count(//script)", doc)).isEqualTo("0");
    assertThat(xpath.evaluate("//title", doc)).isEqualTo("Drift: churn/3 on s3://lake/<in>");
    assertThat(html).doesNotContain("<script>");
    // Self-contained: nothing fetched from anywhere.
    assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=|url\\(|@import");
  }

  @Test
  void anUnflaggedRunSaysSo() throws Exception {
    String html =
        DriftReportHtml.render(
            "m/1",
            Map.of("x", 0.01),
            Map.of("x", 0.0),
            Map.of(),
            0.01,
            DriftLimits.defaults(),
            null,
            List.of());
    Document doc = parse(html);
    assertThat(XPathFactory.newInstance().newXPath().evaluate("//p[@class='ok']", doc))
        .isEqualTo("No feature over the limits.");
    assertThat(
            XPathFactory.newInstance()
                .newXPath()
                .evaluate("count(//p[@id='prediction-drift' and not(@class)])", doc))
        .isEqualTo("1");
  }
}
