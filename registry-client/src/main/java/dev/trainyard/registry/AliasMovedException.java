package dev.trainyard.registry;

import java.util.Optional;

/**
 * An alias did not point where the mover expected: someone else moved it since it was read. {@code
 * lastMove} is the recorded move that put it where it is, if there is one.
 */
public final class AliasMovedException extends RuntimeException {
  private final String expected;
  private final String actual;
  private final transient Optional<AliasMove> lastMove;

  AliasMovedException(
      String name, String alias, String expected, String actual, Optional<AliasMove> lastMove) {
    super(
        "alias '"
            + alias
            + "' of "
            + name
            + " points at "
            + AliasHistory.describe(actual)
            + ", not at "
            + AliasHistory.describe(expected)
            + " as expected");
    this.expected = expected;
    this.actual = actual;
    this.lastMove = lastMove;
  }

  /** The version the mover expected (null: none). */
  public String expected() {
    return expected;
  }

  /** The version the alias points at (null: none). */
  public String actual() {
    return actual;
  }

  public Optional<AliasMove> lastMove() {
    return lastMove;
  }
}
