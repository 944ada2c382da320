package io.jflannel.backend.udp.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable vector of {@code count} datagrams for {@code recvmmsg(2)} / {@code sendmmsg(2)}: the
 * packet slots, and the {@code struct mmsghdr}, {@code struct iovec} and {@code struct sockaddr_in}
 * arrays that point at them, all allocated once in direct memory.
 *
 * <p>Slot {@code i} holds one packet at offset {@link #offset(int) i * slotSize} of {@link
 * #packets()} (big-endian, for reading IP headers). Its header says where the packet goes ({@link
 * #setDestination}, {@link #setLength} before a send) or where it came from ({@link #sourceIp},
 * {@link #receivedLength}, {@link #flags} after a receive).
 *
 * <p>The layouts follow the Linux ABI for the platform's pointer size: {@code struct msghdr} is 7
 * pointer-sized words ({@code msg_name, msg_namelen, msg_iov, msg_iovlen, msg_control,
 * msg_controllen, msg_flags}), {@code struct mmsghdr} adds {@code msg_len}, padded to a word.
 *
 * <p>Not thread-safe: one vector belongs to one packet loop. Its memory is freed with the object.
 */
public final class MsgVec {
  private static final int SOCKADDR_IN = 16;

  private final int count;
  private final int slotSize;
  private final int word;
  private final int msgSize;
  private final int iovBase;
  private final int nameBase;
  private final ByteBuffer packets;
  private final ByteBuffer headers;
  private final ByteBuffer names;
  private final long headersAddress;
  private final long packetsAddress;

  /**
   * Allocates {@code count} slots of {@code slotSize} bytes, set up for receiving: every iovec
   * covers its whole slot and every name buffer is a {@code sockaddr_in}.
   */
  public MsgVec(int count, int slotSize) {
    if (count < 1 || slotSize < 64) {
      throw new IllegalArgumentException("count " + count + ", slot size " + slotSize);
    }
    this.count = count;
    this.slotSize = slotSize;
    this.word = Native.pointerSize();
    this.msgSize = align(7 * word + 4, word);
    this.iovBase = count * msgSize;
    this.nameBase = iovBase + count * 2 * word;
    this.packets = ByteBuffer.allocateDirect(count * slotSize).order(ByteOrder.BIG_ENDIAN);
    this.headers =
        ByteBuffer.allocateDirect(nameBase + count * SOCKADDR_IN).order(ByteOrder.nativeOrder());
    this.names = headers.duplicate().order(ByteOrder.BIG_ENDIAN);
    this.headersAddress = Native.address(headers);
    this.packetsAddress = Native.address(packets);
    for (int i = 0; i < count; i++) {
      int m = i * msgSize;
      putWord(m, headersAddress + nameBase + (long) i * SOCKADDR_IN); // msg_name
      headers.putInt(m + word, SOCKADDR_IN); // msg_namelen
      putWord(m + 2 * word, headersAddress + iovBase + (long) i * 2 * word); // msg_iov
      putWord(m + 3 * word, 1); // msg_iovlen
      putWord(iovBase + i * 2 * word, packetsAddress + (long) i * slotSize); // iov_base
      putWord(iovBase + i * 2 * word + word, slotSize); // iov_len
      headers.putShort(nameBase + i * SOCKADDR_IN, (short) Native.AF_INET);
    }
  }

  private static int align(int n, int to) {
    return (n + to - 1) / to * to;
  }

  private void putWord(int offset, long value) {
    if (word == 8) {
      headers.putLong(offset, value);
    } else {
      headers.putInt(offset, (int) value);
    }
  }

  /** Number of slots. */
  public int count() {
    return count;
  }

  /** Bytes per slot: the largest packet a slot holds. */
  public int slotSize() {
    return slotSize;
  }

  /** The packet memory, big-endian; slot {@code i} starts at {@link #offset}. */
  public ByteBuffer packets() {
    return packets;
  }

  /** Offset of slot {@code i} in {@link #packets()}. */
  public int offset(int i) {
    return i * slotSize;
  }

  /** Native address of slot {@code i}, for {@code read(2)} / {@code write(2)}. */
  public long slotAddress(int i) {
    return packetsAddress + (long) i * slotSize;
  }

  /** Native address of the {@code mmsghdr} of slot {@code i}, for a (partial) send or receive. */
  public long header(int i) {
    return headersAddress + (long) i * msgSize;
  }

  /** Sets the length of the packet to send from slot {@code i}. */
  public void setLength(int i, int length) {
    putWord(iovBase + i * 2 * word + word, length);
  }

  /** Sets where slot {@code i} is sent: IPv4 {@code ip} (host-order int) and UDP {@code port}. */
  public void setDestination(int i, int ip, int port) {
    int n = nameBase + i * SOCKADDR_IN;
    names.putShort(n + 2, (short) port);
    names.putInt(n + 4, ip);
  }

  /** Readies slots {@code 0..n-1} for a receive: full-slot iovecs, fresh name lengths. */
  public void resetForReceive(int n) {
    for (int i = 0; i < n; i++) {
      int m = i * msgSize;
      headers.putInt(m + word, SOCKADDR_IN);
      putWord(iovBase + i * 2 * word + word, slotSize);
    }
  }

  /** The number of bytes the kernel received into slot {@code i} ({@code msg_len}). */
  public int receivedLength(int i) {
    return headers.getInt(i * msgSize + 7 * word);
  }

  /** The {@code msg_flags} of slot {@code i} after a receive, e.g. {@code MSG_TRUNC}. */
  public int flags(int i) {
    return headers.getInt(i * msgSize + 6 * word);
  }

  /** The sender's IPv4 address of slot {@code i} after a receive (host-order int). */
  public int sourceIp(int i) {
    return names.getInt(nameBase + i * SOCKADDR_IN + 4);
  }
}
