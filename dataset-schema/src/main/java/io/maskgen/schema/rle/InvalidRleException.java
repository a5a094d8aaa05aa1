package io.maskgen.schema.rle;

/**
 * Thrown when a COCO run-length encoding is malformed: bad sizes, negative counts, counts that do
 * not sum to {@code height * width}, a compressed string with characters outside the COCO alphabet
 * or one that ends in the middle of a value, or two RLEs of different sizes combined. The message
 * names the problem and the offending value.
 */
public class InvalidRleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidRleException(String message) {
    super(message);
  }
}
