package dev.trainyard.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON form of checkpoint state and model specs; NaN metrics are written as NaN.
 *
 * <p>The layout is the one these files had when Gson wrote them (two-space indent, {@code "key":
 * value}, one array element per line, {@code []} and {@code {}} when empty, no nulls), so files
 * written before and after the switch to Jackson are byte-for-byte alike and old checkpoints and
 * registered models still load.
 */
final class Json {
  private static final DefaultIndenter NEWLINE = new DefaultIndenter("  ", "\n");

  private static final DefaultPrettyPrinter LAYOUT =
      new DefaultPrettyPrinter()
          .withSeparators(
              Separators.createDefaultInstance()
                  .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                  .withObjectEmptySeparator("")
                  .withArrayEmptySeparator(""))
          .withObjectIndenter(NEWLINE)
          .withArrayIndenter(NEWLINE);

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .defaultPrettyPrinter(LAYOUT)
          .build();

  private Json() {}

  static <T> T read(Path file, Class<T> type) throws IOException {
    T value = MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), type);
    if (value == null) {
      throw new IOException(file + " is empty");
    }
    return value;
  }

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
