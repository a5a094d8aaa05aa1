package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.maskgen.amg.SmallRegions.Mode;
import io.maskgen.amg.SmallRegions.Result;
import io.maskgen.schema.rle.Rle;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmallRegionsTest {

  /** Parses a picture, rows of '#' (foreground) and '.', into an RLE. */
  private static Rle mask(String picture) {
    String[] rows = picture.strip().split("\n");
    int h = rows.length;
    int w = rows[0].length();
    byte[] m = new byte[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m[y * w + x] = (byte) (rows[y].charAt(x) == '#' ? 1 : 0);
      }
    }
    return Rle.encodeRowMajor(m, h, w);
  }

  @Test
  void fillsASmallHoleButNotTheOutside() {
    Rle in =
        mask(
            """
            ......
            .####.
            .#.##.
            .####.
            ......
            """);
    Result r = SmallRegions.removeSmallRegions(in, 2, Mode.HOLES);
    assertThat(r.changed()).isTrue();
    assertThat(r.mask())
        .isEqualTo(
            mask(
                """
                ......
                .####.
                .####.
                .####.
                ......
                """));
  }

  @Test
  void holesTouchingDiagonallyAreOneRegion() {
    // Two background pixels touching only at a corner form one 8-connected hole of 2.
    Rle in =
        mask(
            """
            #####
            #.###
            ##.##
            #####
            """);
    assertThat(SmallRegions.removeSmallRegions(in, 2, Mode.HOLES).changed()).isFalse();
    assertThat(SmallRegions.removeSmallRegions(in, 3, Mode.HOLES).mask())
        .isEqualTo(
            mask(
                """
                #####
                #####
                #####
                #####
                """));
  }

  @Test
  void removesSmallIslandsAndKeepsLargeOnes() {
    Rle in =
        mask(
            """
            ##....
            ##...#
            ......
            ...#..
            ....#.
            """);
    Result r = SmallRegions.removeSmallRegions(in, 3, Mode.ISLANDS);
    assertThat(r.changed()).isTrue();
    // The diagonal pair is one island of 2 (< 3): removed, like the single pixel.
    assertThat(r.mask())
        .isEqualTo(
            mask(
                """
                ##....
                ##....
                ......
                ......
                ......
                """));
  }

  @Test
  void whenEveryIslandIsSmallTheLargestStays() {
    Rle in =
        mask(
            """
            #...##
            ....##
            #.....
            """);
    Result r = SmallRegions.removeSmallRegions(in, 10, Mode.ISLANDS);
    assertThat(r.changed()).isTrue();
    assertThat(r.mask())
        .isEqualTo(
            mask(
                """
                ....##
                ....##
                ......
                """));
  }

  @Test
  void nothingSmallLeavesTheMaskUnchanged() {
    Rle in =
        mask(
            """
            ##..
            ##..
            """);
    Result r = SmallRegions.removeSmallRegions(in, 4, Mode.ISLANDS);
    assertThat(r.changed()).isFalse();
    assertThat(r.mask()).isSameAs(in);
  }

  @Test
  void agreesWithOpenCvConnectedComponentsOnEveryFixture() throws IOException {
    byte[] data = Fixtures.bytes("small_regions.jsonl");
    int n = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode c = Fixtures.JSON.readTree(line);
        int h = c.get("h").intValue();
        int w = c.get("w").intValue();
        Rle in = Rle.of(h, w, Fixtures.ints(c.get("counts")));
        Mode mode = c.get("mode").textValue().equals("holes") ? Mode.HOLES : Mode.ISLANDS;
        Result res = SmallRegions.removeSmallRegions(in, c.get("area").intValue(), mode);
        String what = c.get("name").textValue() + " " + mode + " area " + c.get("area");
        assertThat(res.changed()).as(what).isEqualTo(c.get("changed").booleanValue());
        assertThat(res.mask().counts()).as(what).containsExactly(Fixtures.ints(c.get("expected")));
        n++;
      }
    }
    assertThat(n).isEqualTo(64);
  }
}
