package dev.trainyard.terraform;

/** A Terraform file the parser cannot read; the message names the line. */
public final class HclSyntaxException extends RuntimeException {
  private final int line;

  public HclSyntaxException(int line, String message) {
    super("line " + line + ": " + message);
    this.line = line;
  }

  public int line() {
    return line;
  }
}
