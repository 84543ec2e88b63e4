package dev.trainyard.app.config;

/**
 * A configuration problem, named with where it is (file and key, or variable) and how to fix it.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
