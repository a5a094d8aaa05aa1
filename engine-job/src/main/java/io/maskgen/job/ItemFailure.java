package io.maskgen.job;

/**
 * An unexpected error while a command worked on one image or file, wrapped so that the message the
 * user sees names it: {@code "export of image_id 'a/b' (file:/in/b.jpg): NullPointerException at
 * ..."}. The original exception is the cause. Expected problems (bad input) are reported
 * otherwise, as failed rows or "not exported" lines; this is for the rest.
 */
public final class ItemFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param item what was being worked on, e.g. {@code "export of image_id 'a/b' (file:/in/b.jpg)"}
   * @param cause the error
   */
  public ItemFailure(String item, Throwable cause) {
    super(item + ": " + describe(cause), cause);
  }

  /**
   * The messages of {@code e} and its causes; for one without a message, its class and the frame
   * that threw it, so that a bare {@code NullPointerException} still says where it came from.
   */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      String part;
      if (m == null || m.isBlank()) {
        StackTraceElement[] frames = t.getStackTrace();
        part =
            t.getClass().getSimpleName() + (frames.length > 0 ? " at " + frames[0] : "");
      } else {
        part = m.lines().findFirst().orElse(m).strip();
      }
      if (sb.indexOf(part) < 0) {
        sb.append(sb.length() > 0 ? ": " : "").append(part);
      }
    }
    return sb.toString();
  }

  /** The outermost {@code ItemFailure} in the causes of {@code e} (itself included), or null. */
  public static ItemFailure find(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 64; t = t.getCause(), depth++) {
      if (t instanceof ItemFailure f) {
        return f;
      }
    }
    return null;
  }
}
