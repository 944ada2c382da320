package io.jflannel.netlink.wire;

import io.jflannel.netlink.NetlinkParseException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message inside a received datagram: its header fields and a bounds-checked view of
 * its payload.
 *
 * <p>{@link #split(ByteBuffer)} is the only way in; it validates every length against the datagram
 * so that nothing after it can read out of bounds. Instances share the datagram's buffer: they are
 * valid until the next receive on the same socket.
 */
public final class NlMessage {
  private final ByteBuffer buf; // native order, absolute indexing only
  private final int offset;
  private final int length;
  private final int type;
  private final int flags;
  private final int seq;
  private final int pid;

  private NlMessage(ByteBuffer buf, int offset, int length) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.type = buf.getShort(offset + 4) & 0xffff;
    this.flags = buf.getShort(offset + 6) & 0xffff;
    this.seq = buf.getInt(offset + 8);
    this.pid = buf.getInt(offset + 12);
  }

  /**
   * Splits a datagram (from position to limit) into its messages.
   *
   * @throws NetlinkParseException if a header is short or a length runs past the datagram
   */
  public static List<NlMessage> split(ByteBuffer datagram) throws NetlinkParseException {
    ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
    List<NlMessage> out = new ArrayList<>();
    int pos = 0;
    int end = b.limit();
    while (pos < end) {
      if (end - pos < Rt.NLMSG_HDRLEN) {
        throw new NetlinkParseException("message header truncated at byte " + pos);
      }
      int len = b.getInt(pos);
      if (len < Rt.NLMSG_HDRLEN || len > end - pos) {
        throw new NetlinkParseException(
            "message length " + Integer.toUnsignedString(len) + " at byte " + pos + " of " + end);
      }
      out.add(new NlMessage(b, pos, len));
      int next = Rt.align(len);
      if (next > end - pos) {
        break; // last message without padding
      }
      pos += next;
    }
    return out;
  }

  public int type() {
    return type;
  }

  public int flags() {
    return flags;
  }

  public int seq() {
    return seq;
  }

  public int pid() {
    return pid;
  }

  /** The payload length (message length minus the 16-byte header). */
  public int payloadLength() {
    return length - Rt.NLMSG_HDRLEN;
  }

  private int at(int off, int size) throws NetlinkParseException {
    if (off < 0 || off + size > payloadLength()) {
      throw new NetlinkParseException(
          Rt.typeName(type)
              + " payload of "
              + payloadLength()
              + " bytes has no "
              + size
              + "-byte field at "
              + off);
    }
    return offset + Rt.NLMSG_HDRLEN + off;
  }

  /** An unsigned byte of the family header at {@code off} (from the payload start). */
  public int u8(int off) throws NetlinkParseException {
    return buf.get(at(off, 1)) & 0xff;
  }

  /** A native-order unsigned 16-bit field of the family header. */
  public int u16(int off) throws NetlinkParseException {
    return buf.getShort(at(off, 2)) & 0xffff;
  }

  /** A native-order 32-bit field of the family header. */
  public int s32(int off) throws NetlinkParseException {
    return buf.getInt(at(off, 4));
  }

  /** Raw bytes of the payload. */
  public byte[] bytes(int off, int len) throws NetlinkParseException {
    byte[] out = new byte[len];
    buf.get(at(off, len), out);
    return out;
  }

  /**
   * The attributes that follow a family header of {@code headerLen} bytes.
   *
   * @throws NetlinkParseException if the payload is shorter than the header or an attribute is
   *     malformed
   */
  public Attrs attrs(int headerLen) throws NetlinkParseException {
    if (headerLen > payloadLength()) {
      throw new NetlinkParseException(
          Rt.typeName(type) + " payload of " + payloadLength() + " bytes < header " + headerLen);
    }
    int start = offset + Rt.NLMSG_HDRLEN + Rt.align(headerLen);
    int end = offset + length;
    return Attrs.parse(buf, Math.min(start, end), end);
  }

  /** A copy of the whole message, independent of the receive buffer. */
  public byte[] copy() {
    byte[] out = new byte[length];
    buf.get(offset, out);
    return out;
  }
}
