package io.jflannel.netlink;

import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.Rt;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * One encoded netlink request and a description of it for error messages.
 *
 * <p>Built by the operation classes ({@link Routes#replaceRequest}, ...) and run alone or in a
 * {@link Netlink#batch batch}. The sequence number is filled in when it is sent. The description is
 * computed only when needed (an error, a log line), since it may look up interface names.
 * Immutable; may be sent more than once.
 */
public final class Request {
  /**
   * Native-order 16-bit reads from the header without a ByteBuffer per call (batches ask often).
   */
  private static final VarHandle U16 =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());

  private final byte[] bytes;
  private final Supplier<String> description;

  Request(MessageBuilder message, String description) {
    this(message, () -> description);
  }

  Request(MessageBuilder message, Supplier<String> description) {
    this.bytes = message.finish(0);
    this.description = description;
  }

  /** The message type, e.g. {@code RTM_NEWROUTE}. */
  public int type() {
    return (short) U16.get(bytes, 4) & 0xffff;
  }

  /** The {@code nlmsg_flags}. */
  public int flags() {
    return (short) U16.get(bytes, 6) & 0xffff;
  }

  /**
   * The address family: the first byte of the message body ({@code rtm_family}, {@code ndm_family},
   * ...), or 0 when there is no body.
   */
  public int family() {
    return bytes.length > 16 ? bytes[16] & 0xff : 0;
  }

  /** Whether the kernel is asked to acknowledge this request. */
  boolean wantsAck() {
    return (flags() & Rt.NLM_F_ACK) != 0;
  }

  /** The encoded length in bytes. */
  public int length() {
    return bytes.length;
  }

  /** The message bytes with {@code seq} as sequence number. */
  public byte[] encode(int seq) {
    byte[] out = bytes.clone();
    ByteBuffer.wrap(out).order(ByteOrder.nativeOrder()).putInt(8, seq);
    return out;
  }

  /** Writes the message with {@code seq} into {@code dst} at its position. */
  void writeTo(ByteBuffer dst, int seq) {
    int at = dst.position();
    dst.put(bytes);
    dst.putInt(at + 8, seq);
  }

  /** E.g. {@code "RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink"}. */
  public String description() {
    return description.get();
  }

  @Override
  public String toString() {
    return description();
  }
}
