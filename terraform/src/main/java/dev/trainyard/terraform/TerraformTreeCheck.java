package dev.trainyard.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules for {@code terraform/} that neither {@code terraform fmt} nor TFLint enforce across
 * directories, checked without any tool so they also run where Terraform is not installed:
 *
 * <ul>
 *   <li>every variable of every module and env has a {@code type} and a non-empty {@code
 *       description} (a module is an API; its inputs must say what they take);
 *   <li>every env uses every module under {@code modules/}, so dev exercises what prod runs and a
 *       module cannot be forgotten in one of them;
 *   <li>every module an env calls from {@code modules/} exists.
 * </ul>
 */
public final class TerraformTreeCheck {
  private final Path root;
  private final List<String> problems = new ArrayList<>();

  private TerraformTreeCheck(Path root) {
    this.root = root;
  }

  /**
   * The problems found under {@code root} (the folder holding {@code modules/} and {@code envs/}),
   * each naming its file and line; empty when there are none.
   */
  public static List<String> problems(Path root) {
    TerraformTreeCheck check = new TerraformTreeCheck(root.toAbsolutePath().normalize());
    check.run();
    return List.copyOf(check.problems);
  }

  private void run() {
    List<Path> modules = subdirectories(root.resolve("modules"));
    List<Path> envs = subdirectories(root.resolve("envs"));
    if (modules.isEmpty()) {
      problems.add("modules/: no modules found");
    }
    if (envs.isEmpty()) {
      problems.add("envs/: no environments found");
    }
    for (Path dir : modules) {
      checkVariables(dir, blocksOf(dir));
    }
    for (Path env : envs) {
      List<Located> blocks = blocksOf(env);
      checkVariables(env, blocks);
      checkModulesUsed(env, blocks, modules);
    }
  }

  private void checkVariables(Path dir, List<Located> blocks) {
    for (Located b : blocks) {
      if (!b.block().type().equals("variable")) {
        continue;
      }
      String where = b.where() + ": variable \"" + b.block().name() + "\"";
      if (!b.block().attributes().containsKey("type")) {
        problems.add(where + " has no type");
      }
      if (!b.block().attributes().containsKey("description")) {
        problems.add(where + " has no description");
      } else {
        String description = b.block().attributes().get("description");
        if (description != null && description.isBlank()) {
          problems.add(where + " has an empty description");
        }
      }
    }
  }

  private void checkModulesUsed(Path env, List<Located> blocks, List<Path> modules) {
    Path modulesDir = root.resolve("modules");
    Set<Path> used = new LinkedHashSet<>();
    for (Located b : blocks) {
      if (!b.block().type().equals("module")) {
        continue;
      }
      String source = b.block().attributes().get("source");
      String where = b.where() + ": module \"" + b.block().name() + "\"";
      if (source == null) {
        problems.add(where + " needs a plain string source");
        continue;
      }
      if (!source.startsWith("./") && !source.startsWith("../")) {
        continue; // a registry or remote module: not ours to check
      }
      Path target = env.resolve(source).normalize();
      if (!target.startsWith(modulesDir)) {
        continue;
      }
      if (!Files.isDirectory(target)) {
        problems.add(where + " calls " + source + ", which does not exist");
      } else {
        used.add(modulesDir.resolve(modulesDir.relativize(target).getName(0)));
      }
    }
    for (Path module : modules) {
      if (!used.contains(module)) {
        problems.add(root.relativize(env) + ": does not use module " + root.relativize(module));
      }
    }
  }

  /** A block with the file and line it came from, for messages. */
  private record Located(HclBlock block, String where) {}

  private List<Located> blocksOf(Path dir) {
    List<Located> blocks = new ArrayList<>();
    for (Path file : files(dir)) {
      String name = root.relativize(file).toString();
      try {
        for (HclBlock block : HclParser.parse(Files.readString(file, StandardCharsets.UTF_8))) {
          blocks.add(new Located(block, name + ":" + block.line()));
        }
      } catch (HclSyntaxException e) {
        problems.add(name + ": cannot parse, " + e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return blocks;
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tf"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static List<Path> subdirectories(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
