package dev.trainyard.testing;

import java.net.URI;

/** A running S3-compatible server (S3Proxy) with its buckets created. */
public record S3Server(
    URI endpoint,
    String region,
    String accessKeyId,
    String secretAccessKey,
    String lakeBucket,
    String artifactBucket) {}
