package dev.trainyard.stack;

import java.net.URI;
import java.util.Map;

/**
 * What {@code dev status} knows about one service.
 *
 * @param managed true when Trainyard runs it here (loopback endpoint), false for a remote service
 * @param pid the process Trainyard started, or null when it did not start one
 */
public record ServiceStatus(
    String name,
    String title,
    boolean managed,
    Long pid,
    boolean healthy,
    String detail,
    Map<String, URI> links) {}
