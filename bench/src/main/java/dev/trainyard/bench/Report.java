package dev.trainyard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the benchmarks' part files into one results file (with the machine, date, commit and
 * mode), and compares its headline figures with a baseline when there is one.
 *
 * <pre>
 * Report --parts DIR --out bench/results/latest.json --baseline bench/results/baseline.json
 *        --commit SHA --mode full|quick
 * </pre>
 */
public final class Report {
  private Report() {}

  /** Headline figures: JSON path, and whether higher is better. */
  private static final List<Object[]> HEADLINES =
      List.of(
          new Object[] {"training_throughput.streaming_trainer.samples_per_s_median", true},
          new Object[] {"training_throughput.in_memory_shuffled.samples_per_s_median", true},
          new Object[] {"training_throughput.in_memory_prebuilt.samples_per_s_median", true},
          new Object[] {"training_throughput.ratio_streaming_vs_in_memory_shuffled_median", true},
          new Object[] {"pipeline_overhead.runs.0.workflow_wall_s", false},
          new Object[] {"pipeline_overhead.runs.0.sum_of_steps_s", false},
          new Object[] {"pipeline_overhead.runs.0.overhead_s", false},
          new Object[] {"pipeline_overhead.runs.0.overhead_pct", false},
          new Object[] {"pipeline_overhead.runs.1.workflow_wall_s", false},
          new Object[] {"pipeline_overhead.runs.1.overhead_s", false},
          new Object[] {"pipeline_overhead.runs.1.overhead_pct", false},
          new Object[] {"scoring_throughput.copy.samples_per_s_median", true},
          new Object[] {"scoring_throughput.scoring_job.samples_per_s_median", true},
          new Object[] {"scoring_throughput.mllib_lr.samples_per_s_median", true},
          new Object[] {"scoring_throughput.predict_only.samples_per_s_median", true},
          new Object[] {"scoring_throughput.ratios.scoring_job_vs_copy_median", true},
          new Object[] {"scoring_throughput.ratios.scoring_job_vs_mllib_lr_median", true},
          new Object[] {"transforms.feature_job.samples_per_s_median", true},
          new Object[] {"transforms.spark_sql.samples_per_s_median", true},
          new Object[] {"transforms.ratios.feature_job_vs_spark_sql_median", true},
          new Object[] {"transforms.scoring_job_plain.samples_per_s_median", true},
          new Object[] {"transforms.scoring_job_sql.samples_per_s_median", true},
          new Object[] {"transforms.scoring_job_sql_pipeline.samples_per_s_median", true},
          new Object[] {"transforms.scoring_job_flights.samples_per_s_median", true},
          new Object[] {"transforms.ratios.scoring_job_plain_vs_copy_median", true},
          new Object[] {"transforms.ratios.scoring_job_sql_vs_plain_median", true});

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    Path parts = Path.of(args.get("parts", "bench/target/parts"));
    Path out = Path.of(args.get("out", "bench/results/latest.json"));
    Path baseline = Path.of(args.get("baseline", "bench/results/baseline.json"));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    report.put("commit", args.get("commit", "unknown"));
    report.put("mode", args.get("mode", "full"));
    report.put("machine", Machine.describe());
    for (String name : List.of("training", "pipeline", "scoring", "gpu", "transforms")) {
      Path part = parts.resolve(name + ".json");
      if (Files.exists(part)) {
        JsonNode o = JsonFiles.read(part);
        report.put(o.get("benchmark").asText(), o);
      }
    }
    JsonFiles.write(out, report);
    System.out.println("wrote " + out);

    if (Files.exists(baseline) && !baseline.toAbsolutePath().equals(out.toAbsolutePath())) {
      JsonNode now = JsonFiles.read(out);
      JsonNode base = JsonFiles.read(baseline);
      System.out.printf(
          "%ncompared with %s (%s, %s, commit %s):%n",
          baseline,
          str(base, "mode"),
          str(base, "date"),
          str(base, "commit").substring(0, Math.min(10, str(base, "commit").length())));
      if (!str(base, "mode").equals(str(now, "mode"))) {
        System.out.println("  note: different modes (sizes differ); compare ratios and % only");
      }
      System.out.printf("  %-62s %14s %14s %8s%n", "figure", "baseline", "now", "change");
      for (Object[] h : HEADLINES) {
        String path = (String) h[0];
        JsonNode b = at(base, path);
        JsonNode n = at(now, path);
        if (b == null || n == null) {
          continue;
        }
        double bv = b.asDouble();
        double nv = n.asDouble();
        double change = bv == 0 ? 0 : (nv - bv) / Math.abs(bv) * 100;
        boolean better = (Boolean) h[1] ? nv >= bv : nv <= bv;
        System.out.printf(
            "  %-62s %14s %14s %+7.1f%% %s%n",
            path, num(bv), num(nv), change, better ? "" : "(worse)");
      }
    }
  }

  private static String str(JsonNode o, String key) {
    return o.has(key) ? o.get(key).asText() : "?";
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) > 100 ? String.format("%,.0f", v) : String.valueOf(v);
  }

  private static JsonNode at(JsonNode root, String path) {
    JsonNode e = root;
    for (String key : path.split("\\.")) {
      if (e == null || e.isNull()) {
        return null;
      }
      if (e.isArray()) {
        e = e.get(Integer.parseInt(key));
      } else if (e.isObject()) {
        e = e.get(key);
      } else {
        return null;
      }
    }
    return e == null || e.isNull() || !e.isValueNode() ? null : e;
  }
}
