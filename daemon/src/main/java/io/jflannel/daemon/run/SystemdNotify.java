package io.jflannel.daemon.run;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's readiness protocol ({@code sd_notify}), for a unit of {@code Type=notify}: one datagram
 * per state change, {@code READY=1} once subnet.env is written (as upstream's flanneld sends it),
 * {@code STATUS=...} when the health summary changes, {@code STOPPING=1} on a stop, to the Unix
 * datagram socket systemd names in {@code $NOTIFY_SOCKET}: a path, or a name in the abstract
 * namespace when it starts with {@code @}.
 *
 * <p>Mechanism: Java's {@code DatagramChannel} has no Unix-domain datagrams, so this goes through
 * libc as the netlink binding does ({@code socket(AF_UNIX, SOCK_DGRAM)} and {@code sendto} with a
 * {@code sockaddr_un}); one short-lived socket per message. Without {@code NOTIFY_SOCKET} (not run
 * by systemd, or by a unit of another type) {@link #fromEnv} gives none and nothing is sent. A
 * message that cannot be sent is logged once at WARN and otherwise ignored: readiness notifications
 * must never stop the daemon.
 *
 * <p>Thread-safe (stateless apart from the warn-once flag).
 */
public final class SystemdNotify {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);
  static final int AF_UNIX = 1;
  static final int SOCK_DGRAM = 2;
  private static final int SUN_PATH = 108; // sizeof(sockaddr_un.sun_path) on Linux

  private final String socket;
  private volatile boolean warned;

  SystemdNotify(String socket) {
    this.socket = socket;
  }

  /** The notifier for {@code $NOTIFY_SOCKET} in {@code env}, or empty when it is not set. */
  public static Optional<SystemdNotify> fromEnv(Map<String, String> env) {
    String s = env.get("NOTIFY_SOCKET");
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    if (!s.startsWith("/") && !s.startsWith("@")) {
      log.warn("NOTIFY_SOCKET={} is neither a path nor an abstract name (@...): not notifying", s);
      return Optional.empty();
    }
    return Optional.of(new SystemdNotify(s));
  }

  /** {@code READY=1} with a status line. */
  public void ready(String status) {
    send("READY=1\nSTATUS=" + oneLine(status));
  }

  /** {@code STATUS=...}. */
  public void status(String status) {
    send("STATUS=" + oneLine(status));
  }

  /** {@code STOPPING=1}. */
  public void stopping() {
    send("STOPPING=1\nSTATUS=stopping");
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * Sends {@code message} (newline-separated {@code KEY=value} lines) as one datagram.
   *
   * @return whether it was sent
   */
  boolean send(String message) {
    int fd = -1;
    try {
      fd = Sys.socket(AF_UNIX, SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
      byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      Sys.sendto(fd, buf, 0, address(socket));
      log.debug("sd_notify {}: {}", socket, message.replace('\n', ' '));
      return true;
    } catch (SysException | IllegalArgumentException e) {
      if (!warned) {
        warned = true;
        log.warn("cannot notify systemd at NOTIFY_SOCKET={}: {}", socket, e.getMessage());
      }
      return false;
    } finally {
      Sys.close(fd);
    }
  }

  /**
   * The {@code sockaddr_un} of {@code name}: a path, or an abstract name for {@code @name} (a
   * leading NUL byte instead of the {@code @}, no terminating NUL), sized to its content.
   *
   * @throws IllegalArgumentException if the name does not fit
   */
  static ByteBuffer address(String name) {
    byte[] path = name.getBytes(StandardCharsets.UTF_8);
    boolean abstractName = path[0] == '@';
    if (abstractName) {
      path[0] = 0;
    }
    int length = path.length + (abstractName ? 0 : 1);
    if (length > SUN_PATH) {
      throw new IllegalArgumentException(
          "socket name of " + path.length + " bytes is longer than " + (SUN_PATH - 1));
    }
    ByteBuffer sa = ByteBuffer.allocateDirect(2 + length).order(ByteOrder.nativeOrder());
    sa.putShort((short) AF_UNIX).put(path);
    if (!abstractName) {
      sa.put((byte) 0);
    }
    return sa.flip();
  }
}
