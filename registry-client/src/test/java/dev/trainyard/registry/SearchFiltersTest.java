package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SearchFiltersTest {
  @Test
  void dottedTagKeysAreBackQuoted() {
    assertEquals("tags.stage = 'prod'", SearchFilters.tagEquals("stage", "prod"));
    assertEquals(
        "tags.`mlflow.parentRunId` = 'abc'", SearchFilters.tagEquals("mlflow.parentRunId", "abc"));
  }

  @Test
  void valuesWithQuotesUseTheOtherQuote() {
    assertEquals("name = \"it's\"", SearchFilters.nameEquals("it's"));
    assertThrows(IllegalArgumentException.class, () -> SearchFilters.literal("a'b\"c"));
    assertThrows(IllegalArgumentException.class, () -> SearchFilters.identifier("a`b"));
  }

  @Test
  void clausesAreJoinedWithAnd() {
    assertEquals(
        "name = 'm' AND tags.k = 'v'",
        SearchFilters.and(SearchFilters.nameEquals("m"), SearchFilters.tagEquals("k", "v")));
  }
}
