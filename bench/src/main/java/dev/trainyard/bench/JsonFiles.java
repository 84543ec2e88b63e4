package dev.trainyard.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pretty JSON in and out. */
public final class JsonFiles {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private JsonFiles() {}

  public static void write(Path file, Object value) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, GSON.toJson(value) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonElement read(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toJson(Object value) {
    return GSON.toJson(value);
  }
}
