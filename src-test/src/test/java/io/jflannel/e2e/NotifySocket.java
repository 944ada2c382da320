package io.jflannel.e2e;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A fake systemd notify socket: a Unix datagram socket bound to a path, which the harness passes to
 * a daemon as {@code NOTIFY_SOCKET}. A filesystem path (not an abstract name) because the daemon
 * runs in another network namespace, where abstract names are not shared. Datagrams come through
 * libc, as Java has no Unix datagram channel.
 */
final class NotifySocket implements AutoCloseable {
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private final int fd;
  private final Path path;

  NotifySocket(Path path) throws SysException {
    this.path = path;
    fd = Sys.socket(AF_UNIX, SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
    ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    tv.putLong(0, 1).putLong(8, 0); // 1 s receive timeout: receive() polls
    Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv);
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer sa = ByteBuffer.allocateDirect(2 + name.length + 1).order(ByteOrder.nativeOrder());
    sa.putShort((short) AF_UNIX).put(name).put((byte) 0).flip();
    Sys.bind(fd, sa);
  }

  Path path() {
    return path;
  }

  /** The next datagram as text, or null if none came within a second. */
  String receive() {
    ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    try {
      long n = Sys.recv(fd, buf, 0);
      byte[] b = new byte[(int) n];
      buf.get(0, b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (SysException e) {
      if (e.errno() == Sys.EAGAIN) {
        return null;
      }
      throw new IllegalStateException("cannot receive on " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    Sys.close(fd);
  }
}
