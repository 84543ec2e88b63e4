package dev.trainyard.app.spec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecProblems;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a pipeline spec from YAML or JSON (JSON is YAML) and reports every problem at once: unknown
 * fields and wrong value types found against the spec's shape, then the rules of {@link
 * SpecProblems}, each with its field path.
 */
public final class PipelineSpecFile {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private PipelineSpecFile() {}

  /** A spec with problems; the message lists them one per line. */
  public static final class InvalidSpecException extends RuntimeException {
    private final List<String> problems;

    InvalidSpecException(Path file, List<String> problems) {
      super(
          file
              + " has "
              + problems.size()
              + " problem(s):\n  - "
              + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  public static PipelineSpec load(Path file) {
    Object doc;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException(file, List.of("file not found: check the path"));
    } catch (IOException e) {
      throw new InvalidSpecException(file, List.of("cannot read: " + e.getMessage()));
    } catch (RuntimeException e) {
      throw new InvalidSpecException(
          file, List.of("not valid YAML or JSON: " + e.getMessage().replace('\n', ' ')));
    }
    if (!(doc instanceof Map)) {
      throw new InvalidSpecException(file, List.of("the document must be a mapping of fields"));
    }
    JsonNode tree = MAPPER.valueToTree(doc);
    List<String> problems = new ArrayList<>();
    check(tree, PipelineSpec.class, "", problems);
    PipelineSpec spec = null;
    if (problems.isEmpty()) {
      spec = MAPPER.convertValue(tree, PipelineSpec.class);
      problems.addAll(SpecProblems.of(spec));
    }
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(file, problems);
    }
    return spec;
  }

  public static String toJson(PipelineSpec spec) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Walks {@code node} against the Java type it will become, collecting shape problems. */
  private static void check(JsonNode node, Type type, String path, List<String> problems) {
    if (node == null || node.isNull()) {
      return;
    }
    Class<?> raw = rawClass(type);
    String where = path.isEmpty() ? "(top level)" : path;
    if (raw.isRecord()) {
      if (!node.isObject()) {
        problems.add(where + ": must be a mapping with fields " + fieldNames(raw));
        return;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        RecordComponent c =
            Arrays.stream(raw.getRecordComponents())
                .filter(rc -> rc.getName().equals(f.getKey()))
                .findFirst()
                .orElse(null);
        String sub = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
        if (c == null) {
          problems.add(sub + ": unknown field (known here: " + fieldNames(raw) + ")");
        } else {
          check(f.getValue(), c.getGenericType(), sub, problems);
        }
      }
    } else if (List.class.isAssignableFrom(raw)) {
      if (!node.isArray()) {
        problems.add(where + ": must be a list, e.g. [a, b]");
        return;
      }
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), element, path + "[" + i + "]", problems);
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        problems.add(where + ": must be a mapping (name: value)");
        return;
      }
      Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
      node.fields()
          .forEachRemaining(e -> check(e.getValue(), value, path + "." + e.getKey(), problems));
    } else if (raw == String.class) {
      if (!node.isTextual()) {
        problems.add(where + ": must be text, got " + node);
      }
    } else if (raw == Double.class) {
      if (!node.isNumber()) {
        problems.add(where + ": must be a number, got " + node);
      }
    } else if (raw == Integer.class || raw == Long.class) {
      if (!node.isIntegralNumber()) {
        problems.add(where + ": must be a whole number, got " + node);
      }
    } else if (raw == Boolean.class) {
      if (!node.isBoolean()) {
        problems.add(where + ": must be true or false, got " + node);
      }
    }
  }

  private static Class<?> rawClass(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static String fieldNames(Class<?> record) {
    return String.join(
        ", ", Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList());
  }
}
