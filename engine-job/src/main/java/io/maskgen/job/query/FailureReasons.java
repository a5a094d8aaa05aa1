package io.maskgen.job.query;

import java.util.regex.Pattern;

/**
 * Groups the {@code images.error} messages of failed images by reason. Errors name the file first
 * ({@code "photo.jpg: truncated JPEG (no end-of-image marker)"}); the reason is the first few words
 * after the file name, up to a parenthesis or colon, with numbers replaced by {@code N} ({@code
 * "truncated JPEG"}, {@code "file is N bytes"}).
 */
public final class FailureReasons {

  /** Most words kept in a reason. */
  static final int MAX_WORDS = 5;

  private static final Pattern FILE_NAME = Pattern.compile("\\S+|.*\\.[A-Za-z0-9]{2,5}|.*!.*");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private FailureReasons() {}

  /** The reason of one error message; {@code "(no message)"} for a blank one. */
  public static String key(String error) {
    String s = error == null ? "" : error.strip();
    int colon = s.indexOf(": ");
    if (colon > 0 && FILE_NAME.matcher(s.substring(0, colon)).matches()) {
      s = s.substring(colon + 2);
    }
    for (char stop : new char[] {'(', ':', ';', ','}) {
      int i = s.indexOf(stop);
      if (i >= 0) {
        s = s.substring(0, i);
      }
    }
    s = NUMBER.matcher(s).replaceAll("N").strip();
    String[] words = s.isEmpty() ? new String[0] : s.split("\\s+");
    if (words.length == 0) {
      return "(no message)";
    }
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < Math.min(words.length, MAX_WORDS); i++) {
      key.append(i == 0 ? "" : " ").append(words[i]);
    }
    return key.toString();
  }
}
