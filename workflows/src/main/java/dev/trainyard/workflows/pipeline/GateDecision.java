package dev.trainyard.workflows.pipeline;

import java.util.List;

/**
 * @param passed the automatic rules hold
 * @param needsApproval the spec asks a person to confirm before promotion
 * @param reasons one line per rule, in the order checked
 */
public record GateDecision(boolean passed, boolean needsApproval, List<String> reasons) {}
