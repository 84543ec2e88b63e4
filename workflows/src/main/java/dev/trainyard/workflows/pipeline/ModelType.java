package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trainyard.workflows.WireEnum;
import java.util.Optional;
import java.util.Set;

/** The network family: the spec's {@code model.type}. */
public enum ModelType implements WireEnum {
  MLP("mlp"),
  LINEAR("linear");

  /** Every spelling a spec may use, in declaration order. */
  public static final Set<String> SPELLINGS = WireEnum.spellings(values());

  private final String wire;

  ModelType(String wire) {
    this.wire = wire;
  }

  @JsonValue
  @Override
  public String wire() {
    return wire;
  }

  /** The value spelled exactly {@code wire}; empty for null or anything else. */
  public static Optional<ModelType> parse(String wire) {
    return WireEnum.parse(values(), wire);
  }

  /**
   * The value spelled exactly {@code wire}, for a spec already checked.
   *
   * @throws IllegalArgumentException for anything else, naming the values allowed
   */
  @JsonCreator
  public static ModelType of(String wire) {
    return WireEnum.of(values(), "model.type", wire);
  }

  @Override
  public String toString() {
    return wire;
  }
}
