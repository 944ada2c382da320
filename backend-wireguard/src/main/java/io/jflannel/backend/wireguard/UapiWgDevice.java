package io.jflannel.backend.wireguard;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace WireGuard device: {@code wireguard-go} serves it and is programmed over its UAPI
 * socket {@code <dir>/<dev>.sock} ({@code /var/run/wireguard/flannel-wg.sock}) with the {@code
 * get=1}/{@code set=1} text protocol ({@link Uapi}), one connection per request as {@code wg} does.
 *
 * <p>{@link #ensure} adopts a wireguard-go already answering on the socket, or starts one and waits
 * (10 s at most) for its socket. {@link #alive} tells the supervisor in the network's run loop when
 * it died; {@link #close} stops it only if this instance started it.
 */
final class UapiWgDevice implements WgDevice {
  private static final Logger log = LoggerFactory.getLogger(UapiWgDevice.class);

  /** wireguard-go's socket directory (fixed in wireguard-go). */
  static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

  private final String name;
  private final Path socket;
  private final WireguardGo process;
  private final long timeoutMillis;

  /** Whether the adoption of a running wireguard-go was logged (once, not at every reconcile). */
  private boolean adopted;

  UapiWgDevice(String name, Path socketDir, Path binary) {
    this(name, socketDir, binary, TIMEOUT_MILLIS);
  }

  UapiWgDevice(String name, Path socketDir, Path binary, long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
    this.name = name;
    this.socket = socketDir.resolve(name + ".sock");
    this.process = new WireguardGo(binary, name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "wireguard-go (userspace, " + process.binary() + ", UAPI " + socket + ")";
  }

  Path socket() {
    return socket;
  }

  @Override
  public boolean ensure() throws WgException {
    if (process.isAlive() || (!process.started() && answers())) {
      if (!process.started() && !adopted) {
        adopted = true;
        log.info("wireguard: using the wireguard-go already serving {}", socket);
      }
      return false;
    }
    try {
      process.start();
    } catch (IOException e) {
      throw new WgException("cannot start " + process.binary() + ": " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!answers()) {
      if (!process.isAlive()) {
        throw new WgException(
            "wireguard-go -f "
                + name
                + " exited with status "
                + process.exitStatus()
                + " (see its output above); is /dev/net/tun there (modprobe tun)?");
      }
      if (System.nanoTime() > deadline) {
        process.stop();
        throw new WgException("wireguard-go did not open " + socket + " within 10 s");
      }
      sleep(20);
    }
    return true;
  }

  private static void sleep(long ms) throws WgException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WgException("interrupted while waiting for wireguard-go");
    }
  }

  /** Whether something accepts connections on the socket. */
  private boolean answers() {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean alive() {
    return process.started() ? process.isAlive() : answers();
  }

  @Override
  public WgState read() throws WgException {
    String answer = request(Uapi.GET);
    try {
      return Uapi.parseGet(answer);
    } catch (IllegalArgumentException e) {
      throw new WgException(name + ": cannot read wireguard-go's answer: " + e.getMessage(), e);
    }
  }

  @Override
  public void write(WgUpdate update) throws WgException {
    if (update.isEmpty()) {
      return;
    }
    String answer = request(Uapi.set(update));
    int errno;
    try {
      errno = Uapi.errno(answer);
    } catch (IllegalArgumentException e) {
      throw new WgException(name + ": " + e.getMessage(), e);
    }
    if (errno != 0) {
      throw new WgException(
          name
              + ": wireguard-go refused the change of "
              + update.size()
              + " item(s): errno "
              + errno);
    }
  }

  /** How long one request may take before wireguard-go is considered hung. */
  static final long TIMEOUT_MILLIS = 10_000;

  /**
   * Sends one request and reads the answer up to its closing empty line, within the timeout ({@link
   * #TIMEOUT_MILLIS} by default: a hung wireguard-go must not hang the daemon's event thread).
   */
  private String request(String text) throws WgException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.configureBlocking(false);
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
      ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
      SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        await(sel, deadline);
        ch.write(out);
      }
      key.interestOps(SelectionKey.OP_READ);
      StringBuilder answer = new StringBuilder(256);
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      while (!ends(answer)) {
        await(sel, deadline);
        in.clear();
        int n = ch.read(in);
        if (n < 0) {
          break;
        }
        answer.append(StandardCharsets.US_ASCII.decode(in.flip()));
      }
      return answer.toString();
    } catch (IOException e) {
      throw new WgException(
          name + ": cannot talk to wireguard-go on " + socket + ": " + e.getMessage(), e);
    }
  }

  private void await(Selector sel, long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0 || (sel.select(left) == 0 && System.nanoTime() >= deadline)) {
      throw new IOException("no answer within " + timeoutMillis + " ms");
    }
    sel.selectedKeys().clear();
  }

  private static boolean ends(CharSequence s) {
    int n = s.length();
    return n >= 2 && s.charAt(n - 1) == '\n' && s.charAt(n - 2) == '\n';
  }

  @Override
  public void close() {
    process.stop();
  }
}
