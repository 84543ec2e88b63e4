package dev.trainyard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drift line of {@code trainyard score}: PSI, and the features over the spec's limits. */
class ScoreCommandPrintTest {
  private static String printed(ScoringResult r) {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      ScoreCommand.print(r);
    } finally {
      System.setOut(out);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static ScoringResult.Builder scored() {
    return ScoringResult.builder()
        .setOutcome("scored")
        .setModel(new ResolvedModel("churn", "3", null, null, null))
        .optPsi(Map.of("age", 0.01, "plan", 0.02))
        .optMaxPsi(0.02);
  }

  @Test
  void flaggedFeaturesAreOnTheDriftLine() {
    String out =
        printed(
            scored()
                .optDriftFlags(List.of("age: missing +0.500 > 0.100", "plan: unseen 1.000 > 0.050"))
                .build());

    assertThat(out)
        .contains(
            "drift:       max PSI 0.0200 {age=0.01, plan=0.02}; FLAGGED age: missing +0.500 >"
                + " 0.100; plan: unseen 1.000 > 0.050\n");
  }

  @Test
  void predictionDriftIsOnTheDriftLineWithItsNumber() {
    String out =
        printed(
            scored()
                .optPredictionPsi(0.8123)
                .optDriftFlags(List.of("predictions: psi 0.812 > 0.250"))
                .build());

    assertThat(out)
        .contains(
            "drift:       max PSI 0.0200 {age=0.01, plan=0.02}, prediction PSI 0.8123; FLAGGED"
                + " predictions: psi 0.812 > 0.250\n");
  }

  @Test
  void anUnflaggedRunSaysNothingMore() {
    assertThat(printed(scored().build()))
        .contains("drift:       max PSI 0.0200 {age=0.01, plan=0.02}\n")
        .doesNotContain("FLAGGED");
  }
}
