package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * {@code gate.confidence}: the coverage of the paired-bootstrap interval the gate decides on (a
 * number in (0, 1), e.g. 0.95), or {@code off} for the point rule. Written as a plain scalar in
 * YAML and JSON: {@code 0.95}, {@code off} (YAML also reads a bare {@code off} as false, so {@code
 * false} means off too). A value that is neither is kept as written, for {@link SpecProblems} to
 * report.
 */
public final class Confidence {
  public static final Confidence OFF = new Confidence(null, null);
  public static final Confidence DEFAULT = new Confidence(0.95, null);

  private final Double level;
  private final String invalid;

  private Confidence(Double level, String invalid) {
    this.level = level;
    this.invalid = invalid;
  }

  /** A level such as 0.95 (checked by {@link SpecProblems}, not here). */
  public static Confidence level(double level) {
    return new Confidence(level, null);
  }

  /** What a spec holds: a number, {@code off}/{@code false}, or anything else (kept, reported). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Confidence of(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof Number n) {
      return new Confidence(n.doubleValue(), null);
    }
    if (Boolean.FALSE.equals(raw)) {
      return OFF;
    }
    String text = String.valueOf(raw).trim();
    if (text.equalsIgnoreCase("off") || text.equalsIgnoreCase("false")) {
      return OFF;
    }
    try {
      return new Confidence(Double.parseDouble(text), null);
    } catch (NumberFormatException e) {
      return new Confidence(null, text);
    }
  }

  /** As written back to YAML/JSON: the number, or {@code "off"}. */
  @JsonValue
  public Object wire() {
    return level != null ? level : invalid != null ? invalid : "off";
  }

  /** True for {@code off}: the gate compares point values. */
  public boolean isOff() {
    return level == null && invalid == null;
  }

  /**
   * The level, for a checked spec that is not off.
   *
   * @throws IllegalStateException when off or not a number
   */
  public double value() {
    if (level == null) {
      throw new IllegalStateException("confidence is " + wire() + ", not a level");
    }
    return level;
  }

  /** What is wrong with it, naming {@code path}; null when it is fine. */
  String problem(String path) {
    if (invalid != null) {
      return path
          + ": '"
          + invalid
          + "' is not a confidence level; write a number between 0 and 1 (e.g. 0.95 for a 95 %"
          + " interval) or off for the point rule";
    }
    if (level != null && !Double.isFinite(level)) {
      return path + ": " + level + " is not a finite number; write e.g. 0.95, or off";
    }
    if (level != null && !(level > 0 && level < 1)) {
      return path
          + ": "
          + level
          + " is outside (0, 1); write e.g. 0.95 for a 95 % interval (not 95), or off for the point"
          + " rule";
    }
    return null;
  }

  /** "95 %" for reasons; "off" when off. */
  public String percent() {
    if (level == null) {
      return String.valueOf(wire());
    }
    return new java.math.BigDecimal(Double.toString(level))
            .movePointRight(2)
            .stripTrailingZeros()
            .toPlainString()
        + " %";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Confidence c
        && Objects.equals(level, c.level)
        && Objects.equals(invalid, c.invalid);
  }

  @Override
  public int hashCode() {
    return Objects.hash(level, invalid);
  }

  @Override
  public String toString() {
    return String.valueOf(wire());
  }
}
