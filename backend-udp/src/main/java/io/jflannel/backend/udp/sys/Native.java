package io.jflannel.backend.udp.sys;

import com.kenai.jffi.MemoryIO;
import io.jflannel.netlink.sys.SysException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Static wrappers over {@link LibC} for the udp backend: set-up calls throw {@link SysException}
 * with errno; packet-loop calls ({@link #read}, {@link #write}, {@link #recvmmsg}, {@link
 * #sendmmsg}, {@link #poll}) return {@code -errno} instead, so a busy loop meets no exception, no
 * string and no allocation.
 *
 * <p>Internal to the udp backend (public only across its packages). Memory is passed as native
 * addresses of direct buffers ({@link #address}); the caller keeps the buffer reachable for the
 * duration of the call. The library is loaded once; all methods are thread-safe. Constants are the
 * Linux values shared by x86-64, arm64, ppc64le, s390x and riscv64.
 */
public final class Native {
  public static final int AF_INET = 2;
  public static final int SOCK_DGRAM = 2;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int SOL_SOCKET = 1;
  public static final int SO_REUSEPORT = 15;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;
  public static final int SO_SNDBUFFORCE = 32;
  public static final int SO_RCVBUFFORCE = 33;
  public static final int MSG_TRUNC = 0x20;
  public static final int MSG_DONTWAIT = 0x40;
  public static final short POLLIN = 0x1;
  public static final int F_GETFL = 3;
  public static final int F_SETFL = 4;
  public static final int O_NONBLOCK = 0x800;
  public static final int EFD_NONBLOCK = 0x800;
  public static final int EFD_CLOEXEC = 0x80000;

  public static final int EINTR = 4;
  public static final int EAGAIN = 11;

  /** Returned by a TUN queue whose device was deleted. */
  public static final int EBADFD = 77;

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  }

  private Native() {}

  /** Size of a native pointer in bytes: 8 on 64-bit, 4 on 32-bit platforms. */
  public static int pointerSize() {
    return Holder.RUNTIME.addressSize();
  }

  /** The native address of the first byte of a direct buffer (its position is ignored). */
  public static long address(Buffer direct) {
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("need a direct buffer");
    }
    return MemoryIO.getInstance().getDirectBufferAddress(direct);
  }

  /** The errno of the last failed call made through this class on the current thread. */
  public static int errno() {
    return LastError.getLastError(Holder.RUNTIME);
  }

  // ---------------------------------------------------------------- set-up calls (throwing)

  /** {@code socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)}. */
  public static int udpSocket() throws SysException {
    int fd = Holder.LIBC.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new SysException("socket(AF_INET, SOCK_DGRAM)", errno());
    }
    return fd;
  }

  /** {@code bind(2)} to {@code ip:port} (IPv4, host order ints). */
  public static void bind(int fd, int ip, int port) throws SysException {
    ByteBuffer sa = sockaddrIn(ip, port);
    if (Holder.LIBC.bind(fd, address(sa), 16) < 0) {
      throw new SysException("bind " + ipText(ip) + ":" + port, errno());
    }
  }

  /** The port a socket is bound to ({@code getsockname(2)}). */
  public static int boundPort(int fd) throws SysException {
    ByteBuffer sa = ByteBuffer.allocateDirect(16);
    ByteBuffer len = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    len.putInt(0, 16);
    if (Holder.LIBC.getsockname(fd, address(sa), address(len)) < 0) {
      throw new SysException("getsockname", errno());
    }
    return sa.getShort(2) & 0xffff;
  }

  /** {@code setsockopt(2)} with a 32-bit integer value. */
  public static void setsockopt(int fd, int level, int option, int value) throws SysException {
    ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    v.putInt(0, value);
    if (Holder.LIBC.setsockopt(fd, level, option, address(v), 4) < 0) {
      throw new SysException("setsockopt(" + level + ", " + option + ")", errno());
    }
  }

  /** Sets {@code O_NONBLOCK} on a descriptor ({@code fcntl(F_SETFL)}). */
  public static void setNonBlocking(int fd) throws SysException {
    int flags = Holder.LIBC.fcntl(fd, F_GETFL, 0);
    if (flags < 0 || Holder.LIBC.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      throw new SysException("fcntl(O_NONBLOCK)", errno());
    }
  }

  /** {@code eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)}: the packet loops' wake-up descriptor. */
  public static int eventFd() throws SysException {
    int fd = Holder.LIBC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
      throw new SysException("eventfd", errno());
    }
    return fd;
  }

  /** Makes {@code fd} (an eventfd) readable for good: every poller on it wakes. */
  public static void signal(int eventFd) {
    ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    one.putLong(0, 1L);
    Holder.LIBC.write(eventFd, address(one), 8);
  }

  /** {@code close(2)}; errors are ignored (the descriptor is gone either way on Linux). */
  public static void close(int fd) {
    if (fd >= 0) {
      Holder.LIBC.close(fd);
    }
  }

  // ---------------------------------------------------------------- packet-loop calls (-errno)

  /** {@code read(2)}: bytes read, or {@code -errno}. */
  public static long read(int fd, long buf, long count) {
    long n = Holder.LIBC.read(fd, buf, count);
    return n >= 0 ? n : -errno();
  }

  /** {@code write(2)}: bytes written, or {@code -errno}. */
  public static long write(int fd, long buf, long count) {
    long n = Holder.LIBC.write(fd, buf, count);
    return n >= 0 ? n : -errno();
  }

  /** {@code recvmmsg(2)} without timeout: messages received, or {@code -errno}. */
  public static int recvmmsg(int fd, long vec, int vlen, int flags) {
    int n = Holder.LIBC.recvmmsg(fd, vec, vlen, flags, 0L);
    return n >= 0 ? n : -errno();
  }

  /** {@code sendmmsg(2)}: messages sent, or {@code -errno}. */
  public static int sendmmsg(int fd, long vec, int vlen, int flags) {
    int n = Holder.LIBC.sendmmsg(fd, vec, vlen, flags);
    return n >= 0 ? n : -errno();
  }

  /** {@code poll(2)}: descriptors ready, or {@code -errno}. */
  public static int poll(long fds, int nfds, int timeoutMillis) {
    int n = Holder.LIBC.poll(fds, nfds, timeoutMillis);
    return n >= 0 ? n : -errno();
  }

  // ---------------------------------------------------------------- helpers

  /** A {@code struct sockaddr_in} for {@code ip:port} in a fresh direct buffer. */
  static ByteBuffer sockaddrIn(int ip, int port) {
    ByteBuffer sa = ByteBuffer.allocateDirect(16).order(ByteOrder.BIG_ENDIAN);
    sa.order(ByteOrder.nativeOrder()).putShort(0, (short) AF_INET);
    sa.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port).putInt(4, ip);
    return sa;
  }

  private static String ipText(int ip) {
    return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
  }
}
