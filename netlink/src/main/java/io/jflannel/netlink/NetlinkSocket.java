package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.NlMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code NETLINK_ROUTE} socket: sends requests, matches replies and acks by sequence number,
 * reads dumps to the end.
 *
 * <p>Every reply is parsed through {@link NlMessage#split}, so a malformed datagram becomes a
 * {@link NetlinkParseException}, never an out-of-bounds read. A receive timeout bounds every wait,
 * so a lost ack cannot hang the caller. Not thread-safe: {@link Netlink} serialises calls. The
 * socket is bound to the network namespace of the thread that created it.
 */
final class NetlinkSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);

  /** A dump the kernel reports as interrupted (NLM_F_DUMP_INTR) is retried this often. */
  static final int DUMP_RETRIES = 10;

  /** Bytes of requests per sendto; below the default socket send buffer. */
  static final int CHUNK_BYTES = 128 * 1024;

  /** Requests per sendto at most; fewer when the receive buffer is small (see {@link #open}). */
  static final int CHUNK_MESSAGES = 1024;

  /** Receive-buffer bytes one ack takes (measured in /proc/net/netlink: 832), with headroom. */
  private static final int ACK_TRUESIZE = 1024;

  private static final int RCVBUF = 8 * 1024 * 1024;
  private static final int TIMEOUT_SECONDS = 30;

  private final int fd;
  private final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
  private final ByteBuffer tx =
      ByteBuffer.allocateDirect(CHUNK_BYTES + 65536).order(ByteOrder.nativeOrder());
  private final ByteBuffer kernel = sockaddr();
  private int seq = (int) (System.nanoTime() & 0x3fff_ffff);
  private boolean closed;
  private final int chunkMessages;

  private NetlinkSocket(int fd, int chunkMessages) {
    this.fd = fd;
    this.chunkMessages = chunkMessages;
  }

  private static ByteBuffer sockaddr() {
    ByteBuffer sa = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
    sa.putShort(0, (short) Sys.AF_NETLINK); // nl_family; nl_pid = 0 (kernel), nl_groups = 0
    return sa;
  }

  /** Opens and binds a {@code NETLINK_ROUTE} socket in the calling thread's network namespace. */
  static NetlinkSocket open() throws NetlinkException {
    return open(Sys.NETLINK_ROUTE);
  }

  /** Opens and binds a socket of {@code protocol} ({@code NETLINK_GENERIC}, ...). */
  static NetlinkSocket open(int protocol) throws NetlinkException {
    int fd;
    try {
      fd = Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, protocol);
    } catch (SysException e) {
      throw new NetlinkException("socket(AF_NETLINK, " + protocol + ")", e.errno(), null, e);
    }
    try {
      try {
        Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, RCVBUF);
      } catch (SysException e) {
        Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, RCVBUF); // not root: capped by rmem_max
      }
      optional(fd, Sys.SOL_NETLINK, Sys.NETLINK_EXT_ACK, 1);
      optional(fd, Sys.SOL_NETLINK, Sys.NETLINK_CAP_ACK, 1);
      ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      tv.putLong(0, TIMEOUT_SECONDS).putLong(8, 0);
      Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv);
      Sys.bind(fd, sockaddr());
      // without CAP_NET_ADMIN the buffer is capped by rmem_max: keep a chunk's acks within it
      int granted = Sys.getsockoptInt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF);
      int chunk = Math.max(16, Math.min(CHUNK_MESSAGES, granted / 2 / ACK_TRUESIZE));
      return new NetlinkSocket(fd, chunk);
    } catch (SysException e) {
      Sys.close(fd);
      throw new NetlinkException("set up netlink socket", e.errno(), e.getMessage(), e);
    }
  }

  private static void optional(int fd, int level, int opt, int v) {
    try {
      Sys.setsockopt(fd, level, opt, v);
    } catch (SysException e) {
      log.debug("netlink socket option {} not supported: {}", opt, e.getMessage());
    }
  }

  /** For tests: the next request gets sequence number {@code next + 1}. */
  void forceSequence(int next) {
    seq = next;
  }

  /** Sequence numbers stay in 1..2^31-1; a batch chunk restarts at 1 rather than wrap inside. */
  private int nextSeq() {
    seq = seq >= Integer.MAX_VALUE - 1 || seq < 0 ? 1 : seq + 1;
    return seq;
  }

  /** Sends {@code msgs}; the description of {@code r} is computed only on failure. */
  private void send(ByteBuffer msgs, Request r, String suffix) throws NetlinkException {
    long n;
    try {
      n = Sys.sendto(fd, msgs, 0, kernel.duplicate());
    } catch (SysException e) {
      throw new NetlinkException(r.description() + suffix, e.errno(), null, e);
    }
    if (n != msgs.remaining()) {
      throw new NetlinkException(r.description() + suffix, Errno.EMSGSIZE, "short send " + n, null);
    }
  }

  private int sendOne(Request r) throws NetlinkException {
    int s = nextSeq();
    tx.clear();
    r.writeTo(tx, s);
    tx.flip();
    send(tx, r, "");
    return s;
  }

  /** Receives one datagram and splits it; valid until the next receive. */
  private List<NlMessage> receive(Request r) throws NetlinkException {
    rx.clear();
    long n;
    try {
      n = Sys.recv(fd, rx, Sys.MSG_TRUNC);
    } catch (SysException e) {
      int errno = e.errno() == Sys.EAGAIN ? Errno.ETIMEDOUT : e.errno();
      throw new NetlinkException(r.description() + " (waiting for the reply)", errno, null, e);
    }
    if (n > rx.capacity()) {
      throw new NetlinkParseException("datagram of " + n + " bytes truncated to " + rx.capacity());
    }
    rx.limit((int) n);
    return NlMessage.split(rx);
  }

  /** The errno of an {@code NLMSG_ERROR} message (0 = ack) and the kernel's extended message. */
  record Ack(int errno, String message) {}

  static Ack ack(NlMessage m) throws NetlinkParseException {
    int error = m.s32(0);
    if (error > 0 || error < -4095) {
      throw new NetlinkParseException("NLMSG_ERROR with error " + error);
    }
    String text = null;
    if (error != 0 && (m.flags() & NLM_F_ACK_TLVS) != 0) {
      int echoed = (m.flags() & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : m.s32(4);
      if (echoed >= NLMSG_HDRLEN && 4 + echoed <= m.payloadLength()) {
        Attrs tlv = m.attrs(4 + echoed);
        if (tlv.has(NLMSGERR_ATTR_MSG)) {
          text = tlv.string(NLMSGERR_ATTR_MSG);
        }
      }
    }
    return new Ack(-error, text);
  }

  /** Sends {@code r} (which must ask for an ack) and waits for its ack. */
  void execute(Request r) throws NetlinkException {
    int s = sendOne(r);
    while (true) {
      for (NlMessage m : receive(r)) {
        if (m.seq() != s || m.type() != NLMSG_ERROR) {
          continue; // a stale reply of an earlier, abandoned request
        }
        Ack a = ack(m);
        if (a.errno() != 0) {
          throw new NetlinkException(r.description(), a.errno(), a.message(), null);
        }
        return;
      }
    }
  }

  /** Decodes one message of a reply; returns null to skip it. */
  interface Decoder<T> {
    T decode(NlMessage m) throws NetlinkParseException;
  }

  /** Sends a get request and decodes its single reply. */
  <T> T get(Request r, Decoder<T> decoder) throws NetlinkException {
    int s = sendOne(r);
    while (true) {
      for (NlMessage m : receive(r)) {
        if (m.seq() != s) {
          continue;
        }
        if (m.type() == NLMSG_ERROR) {
          Ack a = ack(m);
          if (a.errno() != 0) {
            throw new NetlinkException(r.description(), a.errno(), a.message(), null);
          }
          continue;
        }
        return decoder.decode(m);
      }
    }
  }

  /**
   * Collects the replies of one dump: decodes the messages of its sequence number until {@code
   * NLMSG_DONE}, and notes whether the kernel flagged the dump as interrupted ({@code
   * NLM_F_DUMP_INTR}: the table changed meanwhile, so the result may be inconsistent).
   */
  static final class DumpReader<T> {
    private final Request request;
    private final int seq;
    private final Decoder<T> decoder;
    private final List<T> out = new ArrayList<>();
    private boolean interrupted;

    DumpReader(Request request, int seq, Decoder<T> decoder) {
      this.request = request;
      this.seq = seq;
      this.decoder = decoder;
    }

    /** Takes one datagram's messages; returns true once the dump is complete. */
    boolean accept(List<NlMessage> messages) throws NetlinkException {
      for (NlMessage m : messages) {
        if (m.seq() != seq) {
          continue;
        }
        if ((m.flags() & NLM_F_DUMP_INTR) != 0) {
          interrupted = true;
        }
        if (m.type() == NLMSG_DONE) {
          int error = m.payloadLength() >= 4 ? m.s32(0) : 0;
          if (error < 0) {
            String text = null;
            if ((m.flags() & NLM_F_ACK_TLVS) != 0) {
              Attrs tlv = m.attrs(4);
              text = tlv.has(NLMSGERR_ATTR_MSG) ? tlv.string(NLMSGERR_ATTR_MSG) : null;
            }
            throw new NetlinkException(request.description(), -error, text, null);
          }
          return true;
        }
        if (m.type() == NLMSG_ERROR) {
          Ack a = ack(m);
          if (a.errno() != 0) {
            throw new NetlinkException(request.description(), a.errno(), a.message(), null);
          }
        } else if (!interrupted) {
          T t = decoder.decode(m);
          if (t != null) {
            out.add(t);
          }
        }
      }
      return false;
    }

    boolean interrupted() {
      return interrupted;
    }

    List<T> results() {
      return out;
    }
  }

  /** Sends a dump request and decodes every message; retries dumps the kernel interrupted. */
  <T> List<T> dump(Request r, Decoder<T> decoder) throws NetlinkException {
    for (int attempt = 1; ; attempt++) {
      DumpReader<T> reader = new DumpReader<>(r, sendOne(r), decoder);
      while (!reader.accept(receive(r))) {
        // keep reading datagrams until NLMSG_DONE
      }
      if (!reader.interrupted()) {
        return reader.results();
      }
      if (attempt >= DUMP_RETRIES) {
        throw new NetlinkException(
            r.description() + " (interrupted " + attempt + " times)", Errno.EAGAIN);
      }
      log.debug("netlink dump interrupted, retrying: {}", r);
    }
  }

  /**
   * Sends {@code requests} many per {@code sendto} and returns each one's ack (errno 0 = done), in
   * order.
   */
  Ack[] batch(List<Request> requests) throws NetlinkException {
    Ack[] result = new Ack[requests.size()];
    int i = 0;
    while (i < requests.size()) {
      if (seq > Integer.MAX_VALUE - chunkMessages - 2) {
        seq = 0; // acks are matched by seq - first: the chunk must not wrap
      }
      int first = nextSeq();
      tx.clear();
      int count = 0;
      while (i + count < requests.size()
          && count < chunkMessages
          && (count == 0 || tx.position() + requests.get(i + count).length() <= CHUNK_BYTES)) {
        Request r = requests.get(i + count);
        if (!r.wantsAck()) {
          throw new IllegalArgumentException("batched request without NLM_F_ACK: " + r);
        }
        if (tx.remaining() < r.length()) {
          throw new IllegalArgumentException("request of " + r.length() + " bytes: " + r);
        }
        r.writeTo(tx, count == 0 ? first : nextSeq());
        count++;
      }
      tx.flip();
      Request head = requests.get(i);
      send(tx, head, " (batch of " + count + ")");
      int pending = count;
      while (pending > 0) {
        for (NlMessage m : receive(head)) {
          int idx = m.seq() - first;
          if (m.type() != NLMSG_ERROR || idx < 0 || idx >= count) {
            continue;
          }
          if (result[i + idx] == null) {
            result[i + idx] = ack(m);
            pending--;
          }
        }
      }
      i += count;
    }
    return result;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Sys.close(fd);
    }
  }
}
