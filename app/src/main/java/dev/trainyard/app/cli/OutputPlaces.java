package dev.trainyard.app.cli;

import dev.trainyard.stack.StackConfig;
import dev.trainyard.workflows.scoring.Location;
import dev.trainyard.workflows.scoring.ScoringSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Folders on this machine that a scoring output must never replace, checked before a run starts:
 * the user's home folder, the Trainyard checkout and its state folder (outputs may sit inside them,
 * but not in the folders Trainyard keeps in its state folder: {@link ScoringSpec#STATE_FOLDERS}).
 * The workflow cannot know these places; {@link ScoringSpec#problems()} checks the rest.
 */
final class OutputPlaces {
  private OutputPlaces() {}

  static List<String> problems(ScoringSpec spec, StackConfig stack) {
    List<String> p = new ArrayList<>();
    Location home =
        Location.of(Path.of(System.getProperty("user.home")).toAbsolutePath().toString());
    Location checkout = Location.of(stack.home().toAbsolutePath().toString());
    Location state = Location.of(stack.stateDir().toAbsolutePath().toString());
    check(p, "output", spec.output(), home, checkout, state);
    check(p, "quarantine", spec.quarantine(), home, checkout, state);
    return p;
  }

  private static void check(
      List<String> p, String field, String uri, Location home, Location checkout, Location state) {
    Location at;
    try {
      at = uri == null ? null : Location.of(uri);
    } catch (IllegalArgumentException e) {
      return; // ScoringSpec.problems() names it
    }
    if (at == null || at.isRoot()) {
      return;
    }
    add(p, Location.clash(field, at, home, "your home folder (" + home + ")", true));
    add(p, Location.clash(field, at, checkout, "the Trainyard checkout (" + checkout + ")", true));
    String inState =
        Location.clash(field, at, state, "Trainyard's state folder (" + state + ")", true);
    if (inState == null && state.contains(at)) {
      inState = ScoringSpec.stateFolderClash(field, at, state.segments().size());
    }
    add(p, inState);
  }

  private static void add(List<String> p, String problem) {
    if (problem != null && !p.contains(problem)) {
      p.add(problem);
    }
  }
}
