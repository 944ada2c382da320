package io.jflannel.netlink;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A TUN device opened through {@code /dev/net/tun} with {@code IFF_TUN | IFF_NO_PI}: each {@link
 * #read} returns one raw IP packet, each {@link #write} injects one.
 *
 * <p>The device exists while the descriptor is open (it is not made persistent) and lives in the
 * network namespace of the thread that opened it (see {@link #openInNamespace}). Reads block. One
 * reader and one writer thread may use it at once; {@link #close()} it when done. Like {@code ip
 * tuntap add dev <name> mode tun} for the life of the process.
 */
public final class Tun implements AutoCloseable {
  private static final long TUNSETIFF = 0x400454caL;
  private static final int IFF_TUN = 0x0001;
  private static final int IFF_NO_PI = 0x1000;
  private static final int IFF_MULTI_QUEUE = 0x0100;

  private final int fd;
  private final String name;
  private volatile boolean closed;

  private Tun(int fd, String name) {
    this.fd = fd;
    this.name = name;
  }

  /** Opens (creating if needed) TUN device {@code name}; {@code "flannel%d"} picks a free one. */
  public static Tun open(String name) throws NetlinkException {
    return open(name, false);
  }

  /** Opens one queue of a multi-queue TUN device ({@code IFF_MULTI_QUEUE}). */
  public static Tun open(String name, boolean multiQueue) throws NetlinkException {
    byte[] raw = name.getBytes(StandardCharsets.US_ASCII);
    if (raw.length == 0 || raw.length > 15) {
      throw new IllegalArgumentException("TUN name must have 1..15 characters: " + name);
    }
    int fd;
    try {
      fd = Sys.open("/dev/net/tun", Sys.O_RDWR | Sys.O_CLOEXEC);
    } catch (SysException e) {
      throw new NetlinkException("open /dev/net/tun", e.errno(), null, e);
    }
    try {
      ByteBuffer ifr = ByteBuffer.allocateDirect(40).order(ByteOrder.nativeOrder());
      ifr.put(0, raw);
      ifr.putShort(16, (short) (IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0)));
      Sys.ioctl(fd, TUNSETIFF, ifr);
      byte[] out = new byte[16];
      ifr.get(0, out);
      int n = 0;
      while (n < 16 && out[n] != 0) {
        n++;
      }
      return new Tun(fd, new String(out, 0, n, StandardCharsets.US_ASCII));
    } catch (SysException e) {
      Sys.close(fd);
      throw new NetlinkException("TUNSETIFF " + name, e.errno(), null, e);
    }
  }

  /** Opens TUN device {@code name} inside the named network namespace. */
  public static Tun openInNamespace(String namespace, String name) throws NetlinkException {
    return NetNs.call(namespace, () -> open(name, false));
  }

  /** The device name the kernel gave. */
  public String name() {
    return name;
  }

  /** The file descriptor (for polling); owned by this object. */
  public int fd() {
    return fd;
  }

  /**
   * Reads one packet into the direct buffer {@code dst} at its position; advances the position and
   * returns the packet length.
   */
  public int read(ByteBuffer dst) throws NetlinkException {
    try {
      int n = (int) Sys.read(fd, dst);
      dst.position(dst.position() + n);
      return n;
    } catch (SysException e) {
      throw new NetlinkException("read " + name, e.errno(), null, e);
    }
  }

  /** Writes the packet in the direct buffer {@code src} (position to limit); advances position. */
  public void write(ByteBuffer src) throws NetlinkException {
    try {
      int n = (int) Sys.write(fd, src);
      src.position(src.position() + n);
    } catch (SysException e) {
      throw new NetlinkException("write " + name, e.errno(), null, e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Sys.close(fd);
    }
  }
}
