package dev.trainyard.workflows.scoring;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trainyard.workflows.WireEnum;
import java.util.Optional;
import java.util.Set;

/**
 * What a scoring run does when its output is already published: {@code replace} (score again) or
 * {@code skip} (leave it).
 */
public enum IfOutputExists implements WireEnum {
  REPLACE("replace"),
  SKIP("skip");

  /** Every spelling a spec may use, in declaration order. */
  public static final Set<String> SPELLINGS = WireEnum.spellings(values());

  private final String wire;

  IfOutputExists(String wire) {
    this.wire = wire;
  }

  @JsonValue
  @Override
  public String wire() {
    return wire;
  }

  /** The value spelled exactly {@code wire}; empty for null or anything else. */
  public static Optional<IfOutputExists> parse(String wire) {
    return WireEnum.parse(values(), wire);
  }

  /**
   * The value spelled exactly {@code wire}, for a spec already checked.
   *
   * @throws IllegalArgumentException for anything else, naming the values allowed
   */
  @JsonCreator
  public static IfOutputExists of(String wire) {
    return WireEnum.of(values(), "ifOutputExists", wire);
  }

  @Override
  public String toString() {
    return wire;
  }
}
