package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves a registered model's aliases ({@code champion}, {@code challenger}) and keeps the history
 * of every move, so "who put this version in production, when, and why" has an answer.
 *
 * <p>A move is compare-and-set as far as MLflow allows: MLflow has no conditional alias update, so
 * a move reads the alias, checks that it still points where the mover expects, then sets it.
 * Another writer can still set the alias between that read and the set (one REST round trip); the
 * later writer then wins, and both moves are in the history.
 *
 * <p>Each move is a registered-model tag of its own ({@code trainyard.alias_history.ALIAS.TO.ID}
 * holding the move as JSON): appending never rewrites another writer's record, and recording the
 * same move again (a retry with the same id) overwrites it instead of adding a second.
 */
public final class AliasHistory {
  public static final String TAG_PREFIX = "trainyard.alias_history.";
  // MLflow caps tag values; a gate's reasons fit easily, a pasted essay is cut.
  private static final int MAX_WHY = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelRegistryClient registry;

  public AliasHistory(ModelRegistryClient registry) {
    this.registry = registry;
  }

  /** The version {@code alias} points at, or null (no such alias, or no such model). */
  public String current(String name, String alias) {
    try {
      return registry.findModelVersionByAlias(name, alias).map(ModelVersion::version).orElse(null);
    } catch (ResourceNotFoundException noModel) {
      return null;
    }
  }

  /**
   * Points {@code alias} at {@code to} if it still points at {@code expected} (null: at nothing),
   * and records the move under {@code moveId}.
   *
   * @return the move, or empty if the alias pointed at {@code to} already and the history says so
   *     (nothing moved)
   * @throws AliasMovedException if the alias points at another version than {@code expected}
   */
  public Optional<AliasMove> move(
      String name, String alias, String expected, String to, String moveId, String by, String why) {
    String current = current(name, alias);
    if (to.equals(current)) {
      // Already there. If no record says so, an earlier attempt of this move set the alias and
      // never recorded it (the answer to the set was lost, or the worker died in between): record
      // it now, so every move has its record: from where the mover expected it (or, when the
      // mover read it again after its own set, from where the history last left it).
      Optional<AliasMove> last = latest(name, alias);
      if (last.isPresent() && to.equals(last.get().to())) {
        return Optional.empty();
      }
      String from = to.equals(expected) ? last.map(AliasMove::to).orElse(null) : expected;
      AliasMove move = new AliasMove(alias, from, to, Instant.now(), by, why);
      record(name, moveId, move);
      return Optional.of(move);
    }
    if (!Objects.equals(current, expected)) {
      throw new AliasMovedException(name, alias, expected, current, latest(name, alias));
    }
    registry.setAlias(name, alias, to);
    AliasMove move = new AliasMove(alias, current, to, Instant.now(), by, why);
    record(name, moveId, move);
    return Optional.of(move);
  }

  /** Records {@code move} (made already) under {@code moveId}; the same id overwrites. */
  public void record(String name, String moveId, AliasMove move) {
    ObjectNode json = JSON.createObjectNode();
    json.put("alias", move.alias());
    json.put("from", move.from());
    json.put("to", move.to());
    json.put("at", move.at().toString());
    json.put("by", move.by());
    String why = move.why() == null ? "" : move.why();
    json.put("why", why.length() > MAX_WHY ? why.substring(0, MAX_WHY) + "..." : why);
    String key = TAG_PREFIX + move.alias() + "." + move.to() + "." + moveId;
    // Tag keys allow letters, digits and _ - . / and spaces only.
    registry.setRegisteredModelTag(name, key.replaceAll("[^A-Za-z0-9_./ -]", "_"), json.toString());
  }

  /** Every recorded move of every alias of {@code name}, oldest first. */
  public List<AliasMove> list(String name) {
    List<AliasMove> moves = new ArrayList<>();
    for (Map.Entry<String, String> tag : registry.getRegisteredModel(name).tags().entrySet()) {
      if (tag.getKey().startsWith(TAG_PREFIX)) {
        moves.add(parse(tag.getValue()));
      }
    }
    moves.sort(Comparator.comparing(AliasMove::at));
    return moves;
  }

  /** The latest recorded move of {@code alias}, if any. */
  public Optional<AliasMove> latest(String name, String alias) {
    try {
      List<AliasMove> moves = list(name);
      for (int i = moves.size() - 1; i >= 0; i--) {
        if (moves.get(i).alias().equals(alias)) {
          return Optional.of(moves.get(i));
        }
      }
      return Optional.empty();
    } catch (ResourceNotFoundException noModel) {
      return Optional.empty();
    }
  }

  /** "version 3", or "no version" for null: for messages. */
  static String describe(String version) {
    return version == null ? "no version" : "version " + version;
  }

  private static AliasMove parse(String value) {
    try {
      JsonNode n = JSON.readTree(value);
      return new AliasMove(
          n.path("alias").asText(),
          n.path("from").isTextual() ? n.path("from").asText() : null,
          n.path("to").asText(),
          Instant.parse(n.path("at").asText()),
          n.path("by").asText(),
          n.path("why").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable alias history record: " + value, e);
    }
  }
}
