package dev.trainyard.training;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON form of checkpoint state and model specs; NaN metrics are written as NaN. */
final class Json {
  static final Gson GSON =
      new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

  private Json() {}

  static <T> T read(Path file, Class<T> type) throws IOException {
    T value = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), type);
    if (value == null) {
      throw new IOException(file + " is empty");
    }
    return value;
  }

  static byte[] bytes(Object value) {
    return GSON.toJson(value).getBytes(StandardCharsets.UTF_8);
  }
}
