package dev.trainyard.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs. */
public final class Args {
  private final Map<String, String> values = new HashMap<>();

  public Args(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      values.put(args[i].substring(2), args[++i]);
    }
  }

  public String get(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }

  public int getInt(String name, int dflt) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : dflt;
  }
}
