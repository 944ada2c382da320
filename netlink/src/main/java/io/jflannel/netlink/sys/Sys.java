package io.jflannel.netlink.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Thin static wrappers over the libc calls of {@link LibC}: each turns {@code -1} into a {@link
 * SysException} carrying errno, and retries {@code EINTR}.
 *
 * <p>The library is loaded once, on first use. All methods are thread-safe (they share no state but
 * the loaded library); file descriptors they return are owned by the caller, who must {@link
 * #close(int)} them.
 */
public final class Sys {
  public static final int AF_NETLINK = 16;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int NETLINK_ROUTE = 0;
  public static final int NETLINK_GENERIC = 16;
  public static final int SOL_SOCKET = 1;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;
  public static final int SO_RCVTIMEO = 20;
  public static final int SO_SNDBUFFORCE = 32;
  public static final int SO_RCVBUFFORCE = 33;
  public static final int SOL_NETLINK = 270;
  public static final int NETLINK_EXT_ACK = 11;
  public static final int NETLINK_CAP_ACK = 10;
  public static final int NETLINK_GET_STRICT_CHK = 12;
  public static final int MSG_TRUNC = 0x20;
  public static final int O_RDONLY = 0;
  public static final int O_RDWR = 2;
  public static final int O_NONBLOCK = 0x800;
  public static final int O_CLOEXEC = 0x80000;
  public static final int CLONE_NEWNET = 0x40000000;

  public static final int EINTR = 4;
  public static final int EAGAIN = 11;

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  }

  private Sys() {}

  private static LibC libc() {
    return Holder.LIBC;
  }

  /** The errno of the last failed call made through this class on the current thread. */
  public static int errno() {
    return LastError.getLastError(Holder.RUNTIME);
  }

  /** libc's {@code strerror(errno)}. */
  public static String strerror(int errno) {
    return libc().strerror(errno);
  }

  private static SysException fail(String op) {
    int e = errno();
    return new SysException(op, e);
  }

  /** {@code socket(2)}; returns the new descriptor. */
  public static int socket(int domain, int type, int protocol) throws SysException {
    int fd = libc().socket(domain, type, protocol);
    if (fd < 0) {
      throw fail("socket");
    }
    return fd;
  }

  /** {@code bind(2)} with the address bytes from {@code addr}'s position to its limit. */
  public static void bind(int fd, ByteBuffer addr) throws SysException {
    if (libc().bind(fd, addr, addr.remaining()) < 0) {
      throw fail("bind");
    }
  }

  /** {@code setsockopt(2)} with a 32-bit integer value. */
  public static void setsockopt(int fd, int level, int option, int value) throws SysException {
    ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    v.putInt(0, value);
    if (libc().setsockopt(fd, level, option, v, 4) < 0) {
      throw fail("setsockopt(" + level + "," + option + ")");
    }
  }

  /** {@code setsockopt(2)} with a raw value (e.g. a {@code struct timeval}). */
  public static void setsockopt(int fd, int level, int option, ByteBuffer value)
      throws SysException {
    if (libc().setsockopt(fd, level, option, value, value.remaining()) < 0) {
      throw fail("setsockopt(" + level + "," + option + ")");
    }
  }

  /** {@code getsockopt(2)} of a 32-bit integer option. */
  public static int getsockoptInt(int fd, int level, int option) throws SysException {
    ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    ByteBuffer len = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    len.putInt(0, 4);
    if (libc().getsockopt(fd, level, option, v, len) < 0) {
      throw fail("getsockopt(" + level + "," + option + ")");
    }
    return v.getInt(0);
  }

  /** {@code getsockname(2)} into {@code addr} (from its position); returns the length. */
  public static int getsockname(int fd, ByteBuffer addr) throws SysException {
    ByteBuffer len = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    len.putInt(0, addr.remaining());
    if (libc().getsockname(fd, addr, len) < 0) {
      throw fail("getsockname");
    }
    return len.getInt(0);
  }

  /** {@code sendto(2)} of {@code buf}'s remaining bytes to {@code addr}; returns bytes sent. */
  public static long sendto(int fd, ByteBuffer buf, int flags, ByteBuffer addr)
      throws SysException {
    while (true) {
      long n = libc().sendto(fd, buf, buf.remaining(), flags, addr, addr.remaining());
      if (n >= 0) {
        return n;
      }
      int e = errno();
      if (e != EINTR) {
        throw new SysException("sendto", e);
      }
    }
  }

  /**
   * {@code recvfrom(2)} into {@code buf} from its position up to its limit; returns the length of
   * the datagram (larger than the space given when {@code MSG_TRUNC} is passed and it did not fit).
   */
  public static long recv(int fd, ByteBuffer buf, int flags) throws SysException {
    while (true) {
      long n = libc().recvfrom(fd, buf, buf.remaining(), flags, null, null);
      if (n >= 0) {
        return n;
      }
      int e = errno();
      if (e != EINTR) {
        throw new SysException("recvfrom", e);
      }
    }
  }

  /** {@code read(2)} into {@code buf} from its position; returns bytes read. */
  public static long read(int fd, ByteBuffer buf) throws SysException {
    while (true) {
      long n = libc().read(fd, buf, buf.remaining());
      if (n >= 0) {
        return n;
      }
      int e = errno();
      if (e != EINTR) {
        throw new SysException("read", e);
      }
    }
  }

  /** {@code write(2)} of {@code buf}'s remaining bytes; returns bytes written. */
  public static long write(int fd, ByteBuffer buf) throws SysException {
    while (true) {
      long n = libc().write(fd, buf, buf.remaining());
      if (n >= 0) {
        return n;
      }
      int e = errno();
      if (e != EINTR) {
        throw new SysException("write", e);
      }
    }
  }

  /** {@code open(2)}; returns the new descriptor. */
  public static int open(String path, int flags) throws SysException {
    while (true) {
      int fd = libc().open(path, flags);
      if (fd >= 0) {
        return fd;
      }
      int e = errno();
      if (e != EINTR) {
        throw new SysException("open " + path, e);
      }
    }
  }

  /** {@code ioctl(2)} with a pointer argument. */
  public static void ioctl(int fd, long request, ByteBuffer arg) throws SysException {
    if (libc().ioctl(fd, request, arg) < 0) {
      throw fail("ioctl(0x" + Long.toHexString(request) + ")");
    }
  }

  /** {@code setns(2)}: moves the calling thread into the namespace {@code fd} refers to. */
  public static void setns(int fd, int nstype) throws SysException {
    if (libc().setns(fd, nstype) < 0) {
      throw fail("setns");
    }
  }

  /** {@code close(2)}; errors are ignored (the descriptor is gone either way on Linux). */
  public static void close(int fd) {
    if (fd >= 0) {
      libc().close(fd);
    }
  }
}
