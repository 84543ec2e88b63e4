package dev.trainyard.workflows;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A closed set of values that specs and payloads spell as lowercase strings ({@link #wire()}): what
 * YAML specs, JSON payloads and the Temporal UI show. The enums implementing it serialize as that
 * string ({@code @JsonValue}) and read it back ({@code @JsonCreator}), so typing a field changes
 * nothing on the wire.
 */
public interface WireEnum {

  /** The value as specs and payloads spell it, e.g. {@code binary}. */
  String wire();

  /** The value spelled exactly {@code wire}; empty for null or anything else. */
  static <E extends Enum<E> & WireEnum> Optional<E> parse(E[] values, String wire) {
    for (E e : values) {
      if (e.wire().equals(wire)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * The value spelled exactly {@code wire}.
   *
   * @throws IllegalArgumentException naming the field and the values it may take
   */
  static <E extends Enum<E> & WireEnum> E of(E[] values, String field, String wire) {
    return parse(values, wire)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    field + ": '" + wire + "' is not one of " + spellings(values)));
  }

  /** Every spelling, in declaration order. */
  static <E extends Enum<E> & WireEnum> Set<String> spellings(E[] values) {
    Set<String> spellings = new LinkedHashSet<>();
    for (E e : values) {
      spellings.add(e.wire());
    }
    return Collections.unmodifiableSet(spellings);
  }
}
