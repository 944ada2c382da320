package io.jflannel.backend.wireguard;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A 32-byte WireGuard key (private, public or preshared), written in base64 as {@code wg genkey},
 * {@code wg pubkey} and upstream's lease print it, and in lower-case hex as wireguard-go's UAPI
 * socket speaks it.
 *
 * <p>Immutable and thread-safe. {@link #toString} shows the base64 form, so never log a private or
 * preshared key through it; {@link #redacted} is for those.
 */
public final class WgKey {
  /** The length of every WireGuard key. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private WgKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * The key of these 32 bytes (copied).
   *
   * @throws IllegalArgumentException if there are not 32 of them
   */
  public static WgKey of(byte[] raw) {
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException("a key has 32 bytes, got " + raw.length);
    }
    return new WgKey(raw.clone());
  }

  /**
   * Reads the base64 form (standard alphabet, with padding, 44 characters).
   *
   * @throws IllegalArgumentException if {@code text} is not base64 of exactly 32 bytes; the message
   *     says which
   */
  public static WgKey parseBase64(String text) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64 (" + e.getMessage() + ")");
    }
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException("base64 of " + raw.length + " bytes, not 32");
    }
    return new WgKey(raw);
  }

  /**
   * Reads the hex form of the UAPI protocol (64 hex digits).
   *
   * @throws IllegalArgumentException if {@code text} is not 64 hex digits
   */
  public static WgKey parseHex(String text) {
    if (text.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("a hex key has 64 digits, got " + text.length());
    }
    return new WgKey(HEX.parseHex(text));
  }

  /** A copy of the 32 bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Whether all 32 bytes are zero (the UAPI protocol's "no preshared key"). */
  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The base64 form, as {@code wg} prints keys. */
  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** The lower-case hex form of the UAPI protocol. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The first 8 base64 characters, for logging secrets without showing them. */
  public String redacted() {
    return base64().substring(0, 4) + "…";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WgKey other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return base64();
  }
}
