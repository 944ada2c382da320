package io.jflannel.netlink.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes one netlink request: the {@code nlmsghdr}, a fixed family header and rtattrs, with
 * nesting.
 *
 * <p>Writes into a growable heap buffer in native byte order; {@link #finish(int)} patches the
 * total length and the sequence number and returns the bytes. Attributes are padded to 4 bytes;
 * nested attributes get their length patched when they end. One builder builds one message and is
 * not thread-safe.
 */
public final class MessageBuilder {
  private ByteBuffer buf;
  private final int type;
  private final int flags;

  /** Starts a message of {@code type} with {@code flags}; the header is written at finish. */
  public MessageBuilder(int type, int flags) {
    this.type = type;
    this.flags = flags;
    this.buf = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
    buf.position(Rt.NLMSG_HDRLEN);
  }

  public int type() {
    return type;
  }

  public int flags() {
    return flags;
  }

  private void ensure(int more) {
    if (buf.remaining() < more) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
              .order(ByteOrder.nativeOrder());
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
  }

  /** Appends one unsigned byte of the family header. */
  public MessageBuilder u8(int v) {
    ensure(1);
    buf.put((byte) v);
    return this;
  }

  /** Appends a native-order 16-bit field of the family header. */
  public MessageBuilder u16(int v) {
    ensure(2);
    buf.putShort((short) v);
    return this;
  }

  /** Appends a native-order 32-bit field of the family header. */
  public MessageBuilder u32(int v) {
    ensure(4);
    buf.putInt(v);
    return this;
  }

  private void pad() {
    int p = Rt.align(buf.position());
    ensure(p - buf.position());
    while (buf.position() < p) {
      buf.put((byte) 0);
    }
  }

  /** Appends an attribute with a raw value. */
  public MessageBuilder attr(int attrType, byte[] value) {
    pad();
    ensure(4 + value.length + 3);
    buf.putShort((short) (4 + value.length));
    buf.putShort((short) attrType);
    buf.put(value);
    pad();
    return this;
  }

  /** Appends a flag attribute (no payload). */
  public MessageBuilder attrFlag(int attrType) {
    return attr(attrType, new byte[0]);
  }

  public MessageBuilder attrU8(int attrType, int v) {
    return attr(attrType, new byte[] {(byte) v});
  }

  /** Appends a 16-bit attribute in network byte order (e.g. the vxlan port). */
  public MessageBuilder attrU16be(int attrType, int v) {
    return attr(attrType, new byte[] {(byte) (v >>> 8), (byte) v});
  }

  public MessageBuilder attrU32(int attrType, int v) {
    byte[] b = new byte[4];
    ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(v);
    return attr(attrType, b);
  }

  /** Appends a NUL-terminated string attribute. */
  public MessageBuilder attrString(int attrType, String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    return attr(attrType, Arrays.copyOf(raw, raw.length + 1));
  }

  /** Opens a nested attribute; pass the returned mark to {@link #endNested(int)}. */
  public int beginNested(int attrType) {
    pad();
    ensure(4);
    int mark = buf.position();
    buf.putShort((short) 0);
    buf.putShort((short) attrType);
    return mark;
  }

  /** Closes a nested attribute opened at {@code mark}, patching its length. */
  public MessageBuilder endNested(int mark) {
    buf.putShort(mark, (short) (buf.position() - mark));
    return this;
  }

  /** Patches length and sequence number (port id 0: the kernel) and returns the message bytes. */
  public byte[] finish(int seq) {
    pad();
    int len = buf.position();
    buf.putInt(0, len);
    buf.putShort(4, (short) type);
    buf.putShort(6, (short) flags);
    buf.putInt(8, seq);
    buf.putInt(12, 0);
    return Arrays.copyOf(buf.array(), len);
  }
}
