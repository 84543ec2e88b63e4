package dev.trainyard.app.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.app.Json;
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
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a pipeline spec from YAML or JSON (JSON is YAML) and reports every problem at once: unknown
 * fields and wrong value types found against the spec's shape, then the rules of {@link
 * SpecProblems}, each with its field path.
 *
 * <p>The YAML itself is bounded before any of that: a spec is a few kilobytes, a few levels deep
 * and needs few or no aliases, so larger, deeper or alias-heavy documents (a "billion laughs" bomb
 * of a few hundred bytes would otherwise fill the heap) and duplicate keys (where the last would
 * silently win) are refused while reading.
 */
public final class PipelineSpecFile {
  static final int MAX_CHARACTERS = 1_000_000;
  static final int MAX_DEPTH = 20;
  static final int MAX_ALIASES = 20;
  static final int MAX_VALUES = 100_000;

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
      if (Files.size(file) > MAX_CHARACTERS) {
        throw new InvalidSpecException(file, List.of(tooLarge()));
      }
      doc = yaml().load(r);
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException(file, List.of("file not found: check the path"));
    } catch (IOException e) {
      throw new InvalidSpecException(file, List.of("cannot read: " + e.getMessage()));
    } catch (DuplicateKeyException e) {
      String key = e.getProblem().replaceFirst("^found duplicate key ", "");
      throw new InvalidSpecException(
          file,
          List.of(
              "line "
                  + (e.getProblemMark().getLine() + 1)
                  + ": '"
                  + key
                  + "' appears twice in the same mapping; keep one (YAML would silently use the last)"));
    } catch (YAMLException e) {
      throw new InvalidSpecException(file, List.of(yamlProblem(e)));
    }
    if (!(doc instanceof Map)) {
      throw new InvalidSpecException(file, List.of("the document must be a mapping of fields"));
    }
    String expansion = expansionProblem(doc, 0, new long[] {0});
    if (expansion != null) {
      throw new InvalidSpecException(file, List.of(expansion));
    }
    JsonNode tree = Json.MAPPER.valueToTree(doc);
    List<String> problems = new ArrayList<>();
    check(tree, PipelineSpec.class, "", problems);
    PipelineSpec spec = null;
    if (problems.isEmpty()) {
      spec = Json.MAPPER.convertValue(tree, PipelineSpec.class);
      problems.addAll(SpecProblems.of(spec));
    }
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(file, problems);
    }
    return spec;
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CHARACTERS);
    options.setAllowRecursiveKeys(false);
    return new Yaml(new SafeConstructor(options));
  }

  /** SnakeYAML's limit messages, said in the spec author's terms. */
  private static String yamlProblem(YAMLException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Number of aliases for non-scalar nodes exceeds")) {
      return "(document): more than "
          + MAX_ALIASES
          + " aliases (*name) to lists or mappings; write the values out (a spec needs few or"
          + " none, and this limit stops 'billion laughs' documents that would exhaust memory)";
    }
    if (m.contains("Nesting Depth exceeded")) {
      return "(document): nested deeper than "
          + MAX_DEPTH
          + " levels; a spec is only a few levels deep";
    }
    if (m.contains("exceeds the limit") && m.contains("code points")) {
      return tooLarge();
    }
    return "not valid YAML or JSON: " + m.replace('\n', ' ');
  }

  private static String tooLarge() {
    return "(document): larger than "
        + MAX_CHARACTERS
        + " bytes; a spec is a few kilobytes, so check that this is the right file";
  }

  /**
   * Walks the document as the JSON tree will hold it, with every alias expanded: a few aliases can
   * still multiply into millions of values, and an anchor that contains itself never ends.
   */
  private static String expansionProblem(Object node, int depth, long[] count) {
    if (++count[0] > MAX_VALUES) {
      return "(document): expands to more than "
          + MAX_VALUES
          + " values through anchors and aliases (&name, *name); write the values out";
    }
    if (depth > MAX_DEPTH) {
      return "(document): nested deeper than "
          + MAX_DEPTH
          + " levels (an anchor that contains itself?); a spec is only a few levels deep";
    }
    Iterable<?> children =
        node instanceof Map<?, ?> m ? m.values() : node instanceof List<?> l ? l : List.of();
    for (Object child : children) {
      String problem = expansionProblem(child, depth + 1, count);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  public static String toJson(PipelineSpec spec) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
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
      } else if (raw == Integer.class ? !node.canConvertToInt() : !node.canConvertToLong()) {
        boolean large = node.bigIntegerValue().signum() > 0;
        long bound =
            raw == Integer.class
                ? (large ? Integer.MAX_VALUE : Integer.MIN_VALUE)
                : (large ? Long.MAX_VALUE : Long.MIN_VALUE);
        problems.add(
            where
                + ": "
                + node
                + " is too "
                + (large ? "large" : "small")
                + " for a whole number (at "
                + (large ? "most " : "least ")
                + bound
                + ")");
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
