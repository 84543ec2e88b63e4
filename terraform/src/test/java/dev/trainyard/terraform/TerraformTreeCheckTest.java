package dev.trainyard.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerraformTreeCheckTest {

  @Test
  void aTreeThatFollowsTheRulesHasNoProblems() {
    assertThat(TerraformTreeCheck.problems(fixture("good"))).isEmpty();
  }

  @Test
  void everyBrokenRuleIsReportedWithItsFileAndLine() {
    List<String> problems = TerraformTreeCheck.problems(fixture("bad"));

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "modules/bucket/variables.tf:1: variable \"untyped\" has no type",
            "modules/bucket/variables.tf:5: variable \"undescribed\" has no description",
            "modules/bucket/variables.tf:9: variable \"empty_description\" has an empty description",
            "modules/bucket/variables.tf:14: variable \"single_line\" has no description",
            "envs/dev: does not use module modules/queue",
            "envs/prod/main.tf:9: module \"missing\" calls ../../modules/missing, which does not exist",
            "envs/prod/main.tf:13: variable \"region\" has no type",
            "envs/prod/main.tf:13: variable \"region\" has no description");
  }

  /**
   * The real tree, here rather than only in the integration test: the check needs no tools, so
   * {@code ./mvnw test} catches an untyped variable or a module an env forgot.
   */
  @Test
  void theRepositorysTerraformTreeFollowsTheRules() {
    // Surefire runs in the module's folder, which is terraform/ itself.
    Path terraform = Path.of("").toAbsolutePath();

    assertThat(terraform.resolve("modules")).isDirectory();
    assertThat(TerraformTreeCheck.problems(terraform)).isEmpty();
  }

  private static Path fixture(String name) {
    try {
      return Path.of(TerraformTreeCheckTest.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
