package io.jflannel.netlink;

import java.util.HexFormat;

/** A 48-bit Ethernet address, printed {@code "5e:aa:bb:cc:dd:02"}. */
public record MacAddress(long value) {
  public MacAddress {
    if ((value & ~0xffff_ffff_ffffL) != 0) {
      throw new IllegalArgumentException("MAC address wider than 48 bits");
    }
  }

  /** Parses {@code "5e:aa:bb:cc:dd:02"} (or with dashes); no regex, it runs per peer and pass. */
  public static MacAddress parse(String s) {
    if (s.length() != 17) {
      throw new IllegalArgumentException("not a MAC address: " + s);
    }
    long v = 0;
    for (int i = 0; i < 6; i++) {
      int at = i * 3;
      int hi = Character.digit(s.charAt(at), 16);
      int lo = Character.digit(s.charAt(at + 1), 16);
      char sep = i < 5 ? s.charAt(at + 2) : ':';
      if (hi < 0
          || lo < 0
          || (sep != ':' && sep != '-')
          || s.charAt(at) > 'f'
          || s.charAt(at + 1) > 'f') {
        throw new IllegalArgumentException("not a MAC address: " + s);
      }
      v = (v << 8) | (hi << 4) | lo;
    }
    return new MacAddress(v);
  }

  /** From 6 raw bytes. */
  public static MacAddress of(byte[] raw) {
    if (raw.length != 6) {
      throw new IllegalArgumentException("MAC address of " + raw.length + " bytes");
    }
    long v = 0;
    for (byte b : raw) {
      v = (v << 8) | (b & 0xff);
    }
    return new MacAddress(v);
  }

  public byte[] bytes() {
    byte[] b = new byte[6];
    for (int i = 5, shift = 0; i >= 0; i--, shift += 8) {
      b[i] = (byte) (value >>> shift);
    }
    return b;
  }

  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(bytes());
  }
}
