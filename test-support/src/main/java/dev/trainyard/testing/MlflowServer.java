package dev.trainyard.testing;

import java.net.URI;

/**
 * A running MLflow tracking server whose artifacts are proxied ({@code mlflow-artifacts:}) to
 * {@link #s3()}'s artifact bucket.
 */
public record MlflowServer(URI trackingUri, S3Server s3) {}
