package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trainyard.workflows.WireEnum;
import java.util.Optional;
import java.util.Set;

/** Where training runs: the spec's {@code model.device} ({@code auto}: a GPU when there is one). */
public enum DeviceChoice implements WireEnum {
  AUTO("auto"),
  CPU("cpu"),
  GPU("gpu");

  /** Every spelling a spec may use, in declaration order. */
  public static final Set<String> SPELLINGS = WireEnum.spellings(values());

  private final String wire;

  DeviceChoice(String wire) {
    this.wire = wire;
  }

  @JsonValue
  @Override
  public String wire() {
    return wire;
  }

  /** The value spelled exactly {@code wire}; empty for null or anything else. */
  public static Optional<DeviceChoice> parse(String wire) {
    return WireEnum.parse(values(), wire);
  }

  /**
   * The value spelled exactly {@code wire}, for a spec already checked.
   *
   * @throws IllegalArgumentException for anything else, naming the values allowed
   */
  @JsonCreator
  public static DeviceChoice of(String wire) {
    return WireEnum.of(values(), "model.device", wire);
  }

  @Override
  public String toString() {
    return wire;
  }
}
