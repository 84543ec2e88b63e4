package dev.trainyard.terraform;

import java.util.List;
import java.util.Map;

/**
 * A block of a Terraform file as far as the checks need it: its type and labels, its own attributes
 * (not those of nested blocks) and its nested blocks.
 *
 * @param attributes attribute name to its value when the value is a plain string literal, or to
 *     {@code null} for any other expression
 * @param line 1-based line of the block's type keyword
 */
public record HclBlock(
    String type,
    List<String> labels,
    Map<String, String> attributes,
    List<HclBlock> blocks,
    int line) {

  /** The first label ({@code variable "NAME"}, {@code module "NAME"}), or "" when there is none. */
  public String name() {
    return labels.isEmpty() ? "" : labels.get(0);
  }
}
