package dev.trainyard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The evaluate-scores request as {@code trainyard evaluate-scores} and {@code trainyard schedule
 * create --evaluate-scores} check it, one way, before anything connects to Temporal.
 */
class EvaluateScoresCommandTest {
  private record Run(int exitCode, String stderr) {}

  private static Run run(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(code, buffer.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void anEmptyRequestNamesEveryMissingOptionAsTheCommandSpellsIt() {
    Run r = run("evaluate-scores");
    assertEquals(2, r.exitCode());
    assertThat(r.stderr())
        .contains("error: the evaluate-scores request has 4 problem(s)")
        .contains("- --scores: is required")
        .contains("- --labels: is required")
        .contains("- --keys: name the column(s)")
        .contains("- --label: name the labels' column");
  }

  @Test
  void aDayThatIsNoDateIsRefusedLikeTheScheduleRefusesIt() {
    Run r =
        run(
            "evaluate-scores",
            "--scores",
            "/tmp/scores/{date}",
            "--labels",
            "/tmp/labels/{date}",
            "--label",
            "churned",
            "--keys",
            "customer_id",
            "--date",
            "2026-13-01");
    assertEquals(2, r.exitCode());
    assertThat(r.stderr()).contains("--date '2026-13-01' is not a day like 2026-11-24");
  }

  @Test
  void aScheduleWithABoundButNoPipelineIsRefusedAsTheCommandIs() {
    String[] request = {
      "--labels",
      "/tmp/labels/{date}",
      "--label",
      "churned",
      "--keys",
      "customer_id",
      "--retrain-min",
      "0.7"
    };
    String need = "--retrain-min/--retrain-max: need --retrain-pipeline FILE";
    Run command =
        run(concat(new String[] {"evaluate-scores", "--scores", "/tmp/scores/{date}"}, request));
    assertEquals(2, command.exitCode());
    assertThat(command.stderr()).contains(need);
    Run schedule =
        run(
            concat(
                new String[] {
                  "schedule", "create", "x", "--every", "1d", "--evaluate-scores", "/tmp/s/{date}"
                },
                request));
    assertEquals(2, schedule.exitCode());
    assertThat(schedule.stderr()).contains(need);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
