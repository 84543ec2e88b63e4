package dev.trainyard.app.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.trainyard.stack.TemporalSearchAttributes;
import dev.trainyard.workflows.RunSearch;
import org.junit.jupiter.api.Test;

/** What {@code dev up} registers is what the workflows upsert. */
class SearchAttributeNamesTest {
  @Test
  void theWorkflowsAndTheLocalStackNameTheSameAttributes() {
    assertEquals(RunSearch.names(), TemporalSearchAttributes.NAMES);
  }

  @Test
  void theHowToNamesEveryAttributeForTheCliAndForTemporalCloud() {
    String how = TemporalSearchAttributes.howToRegister("prod");
    assertEquals(
        true,
        how.contains(
            "temporal operator search-attribute create --namespace prod --type Keyword"
                + " --name TrainyardPipeline --name TrainyardModel --name TrainyardModelVersion"
                + " --name TrainyardOutcome --name TrainyardStep"),
        how);
    assertEquals(true, how.contains("--search-attribute \"TrainyardStep=Keyword\""), how);
  }
}
