package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trainyard.workflows.WireEnum;
import java.util.Optional;
import java.util.Set;

/**
 * How trials sample their space: the spec's {@code trials.strategy} ({@code grid}: every
 * combination, {@code random}: {@code count} of them).
 */
public enum TrialStrategy implements WireEnum {
  GRID("grid"),
  RANDOM("random");

  /** Every spelling a spec may use, in declaration order. */
  public static final Set<String> SPELLINGS = WireEnum.spellings(values());

  private final String wire;

  TrialStrategy(String wire) {
    this.wire = wire;
  }

  @JsonValue
  @Override
  public String wire() {
    return wire;
  }

  /** The value spelled exactly {@code wire}; empty for null or anything else. */
  public static Optional<TrialStrategy> parse(String wire) {
    return WireEnum.parse(values(), wire);
  }

  /**
   * The value spelled exactly {@code wire}, for a spec already checked.
   *
   * @throws IllegalArgumentException for anything else, naming the values allowed
   */
  @JsonCreator
  public static TrialStrategy of(String wire) {
    return WireEnum.of(values(), "trials.strategy", wire);
  }

  @Override
  public String toString() {
    return wire;
  }
}
