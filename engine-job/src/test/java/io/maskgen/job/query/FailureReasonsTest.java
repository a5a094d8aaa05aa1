package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureReasonsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "photo.jpg: truncated JPEG (no end-of-image marker) | truncated JPEG",
        "dir/a b.jpg: truncated JPEG (premature end) | truncated JPEG",
        "a.jpg: unreadable: java.io.FileNotFoundException: /x/a.jpg | unreadable",
        "big.tif: file is 2147483648 bytes, larger than the 1073741824 byte limit | file is N"
            + " bytes",
        "s.tar!#after-3-members: corrupt or truncated tar shard after 3 members: EOF"
            + " | corrupt or truncated tar shard",
        "img.png: image of 20000x20000 pixels exceeds the limit of 178956970 pixels"
            + " | image of NxN pixels exceeds",
        "no file prefix here at all | no file prefix here at",
        "'   ' | (no message)"
      })
  void reasonIsTheFirstWordsAfterTheFileName(String error, String reason) {
    assertThat(FailureReasons.key(error)).isEqualTo(reason);
  }
}
