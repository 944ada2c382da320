package io.jflannel.daemon.run;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A Unix datagram socket bound to a name, as systemd's notify socket listens; for tests. */
public final class NotifyReceiver implements AutoCloseable {
  private final int fd;

  /** Binds to {@code name}: a path, or {@code @name} in the abstract namespace. */
  public NotifyReceiver(String name) throws SysException {
    fd = Sys.socket(SystemdNotify.AF_UNIX, SystemdNotify.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
    ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    tv.putLong(0, 5).putLong(8, 0); // 5 s receive timeout
    Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv);
    Sys.bind(fd, SystemdNotify.address(name));
  }

  /** The next datagram, as text; fails after 5 s. */
  public String receive() throws SysException {
    ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    long n = Sys.recv(fd, buf, 0);
    byte[] b = new byte[(int) n];
    buf.get(0, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    Sys.close(fd);
  }
}
