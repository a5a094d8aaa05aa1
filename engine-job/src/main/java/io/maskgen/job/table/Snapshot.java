package io.maskgen.job.table;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One published state of a dataset ({@code _maskgen/snapshots/NNN.json}): the Delta versions of
 * {@code images} and {@code masks} that belong together, and the generators they hold. Readers use
 * the newest snapshot and read both tables at its versions, so they never see one table of a
 * refresh without the other.
 *
 * @param number the snapshot's number, from 1, one more than the one it replaces
 * @param runId the run (or prune) that published it
 * @param published when, ISO-8601
 * @param imagesVersion Delta version of {@code images}
 * @param masksVersion Delta version of {@code masks}
 * @param generators the generators in the tables, the most recently run last (the default one)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Snapshot(
    long number,
    String runId,
    String published,
    long imagesVersion,
    long masksVersion,
    List<Generator> generators) {

  public Snapshot {
    generators = List.copyOf(generators);
  }

  /**
   * A generator of the dataset.
   *
   * @param name the fingerprint that its rows carry in the {@code generator} column
   * @param model segmentation model
   * @param clip CLIP model, or null
   * @param parameters generation parameters
   * @param firstRun the run that introduced it
   * @param lastRun the latest run that refreshed it
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Generator(
      String name,
      String model,
      String clip,
      Map<String, Object> parameters,
      String firstRun,
      String lastRun) {}

  /** The default generator: the most recently run one; empty when there is none. */
  public Optional<Generator> newest() {
    return generators.isEmpty() ? Optional.empty() : Optional.of(generators.get(generators.size() - 1));
  }

  public Optional<Generator> generator(String name) {
    return generators.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  public List<String> generatorNames() {
    return generators.stream().map(Generator::name).toList();
  }

  /** {@code generators} with {@code g} replacing its namesake and moved last. */
  public static List<Generator> withLast(List<Generator> generators, Generator g) {
    List<Generator> out = new ArrayList<>();
    for (Generator e : generators) {
      if (!e.name().equals(g.name())) {
        out.add(e);
      }
    }
    out.add(g);
    return out;
  }
}
