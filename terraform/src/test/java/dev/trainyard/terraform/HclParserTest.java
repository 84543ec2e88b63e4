package dev.trainyard.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HclParserTest {

  @Test
  void readsBlocksLabelsAttributesAndNestedBlocks() {
    List<HclBlock> blocks =
        HclParser.parse(
            """
            resource "aws_s3_bucket" "lake" {
              bucket = "trainyard-lake"
              tags   = merge(var.tags, { Name = "lake" })

              lifecycle {
                prevent_destroy = true
              }
            }

            module "storage" {
              source = "../../modules/storage"
              name   = local.name
            }
            """);

    assertThat(blocks).extracting(HclBlock::type).containsExactly("resource", "module");
    HclBlock bucket = blocks.get(0);
    assertThat(bucket.labels()).containsExactly("aws_s3_bucket", "lake");
    assertThat(bucket.attributes()).containsOnlyKeys("bucket", "tags");
    assertThat(bucket.attributes().get("bucket")).isEqualTo("trainyard-lake");
    assertThat(bucket.attributes().get("tags")).as("not a plain string").isNull();
    assertThat(bucket.blocks()).extracting(HclBlock::type).containsExactly("lifecycle");
    assertThat(bucket.blocks().get(0).attributes()).containsOnlyKeys("prevent_destroy");
    assertThat(blocks.get(1).attributes().get("source")).isEqualTo("../../modules/storage");
    assertThat(blocks.get(1).line()).isEqualTo(10);
  }

  @Test
  void bracesAndBlockKeywordsInsideStringsHeredocsAndCommentsAreText() {
    List<HclBlock> blocks =
        HclParser.parse(
            """
            # variable "in_a_comment" {
            // variable "in_another_comment" {
            /* variable "in_a_block_comment" {
            } */
            locals {
              script = <<-EOT
                variable "in_a_heredoc" {
                echo "${var.name}" }}}
              EOT
              text = "a \\"{\\" and ${"}"} and ${jsonencode({ a = "}" })}"
              multi_line = [
                "x",
                { y = 1 },
              ]
              pairs = { for k, v in var.m : k => v if v != "" && k == "a" }
            }
            variable "after" { type = string }
            """);

    assertThat(blocks).extracting(HclBlock::type).containsExactly("locals", "variable");
    assertThat(blocks.get(0).attributes())
        .containsOnlyKeys("script", "text", "multi_line", "pairs");
    assertThat(blocks.get(1).attributes()).containsOnlyKeys("type");
    assertThat(blocks.get(1).line()).isEqualTo(17);
  }

  @Test
  void escapedTemplateSequencesStayPlainStrings() {
    List<HclBlock> blocks = HclParser.parse("locals {\n  a = \"$${not_a_template}\"\n}\n");

    assertThat(blocks.get(0).attributes().get("a")).isEqualTo("${not_a_template}");
  }

  @Test
  void anUnclosedBlockNamesTheLineWhereTheFileEnds() {
    assertThatThrownBy(() -> HclParser.parse("variable \"x\" {\n  type = string\n"))
        .isInstanceOf(HclSyntaxException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("unclosed block");
  }

  @Test
  void anUnclosedHeredocIsAnError() {
    assertThatThrownBy(() -> HclParser.parse("locals {\n  a = <<EOT\n  text\n}\n"))
        .isInstanceOf(HclSyntaxException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("<<EOT");
  }

  @Test
  void attributesAtTopLevelAreRejected() {
    assertThatThrownBy(() -> HclParser.parse("region = \"us-east-1\"\n"))
        .isInstanceOf(HclSyntaxException.class)
        .hasMessageContaining("top level");
  }
}
