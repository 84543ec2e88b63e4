package dev.trainyard.testing;

import java.net.URI;

/** A running Temporal dev server (real server, with Schedules and the Web UI). */
public record TemporalServer(String address, String namespace, URI uiUri) {}
