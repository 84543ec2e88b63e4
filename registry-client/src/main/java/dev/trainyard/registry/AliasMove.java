package dev.trainyard.registry;

import java.time.Instant;

/**
 * One move of a registered model's alias: from which version to which (null: none), when, by whom
 * (a workflow run or a user) and why.
 */
public record AliasMove(String alias, String from, String to, Instant at, String by, String why) {}
