package dev.trainyard.spark.io;

/**
 * The content of a file or directory, in short: equal fingerprints mean the same files with the
 * same bytes.
 *
 * @param sha256 hex SHA-256 over every file's relative path and bytes, in path order
 * @param files files hashed
 * @param bytes their total size
 */
public record DatasetFingerprint(String sha256, long files, long bytes) {}
