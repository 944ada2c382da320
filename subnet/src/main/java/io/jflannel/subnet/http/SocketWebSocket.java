package io.jflannel.subnet.http;

import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketResponse;
import io.fabric8.kubernetes.client.http.WebSocketUpgradeResponse;
import io.jflannel.subnet.http.IdleConnections.Connection;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client WebSocket (RFC 6455) of a {@link SocketHttpClient}, as fabric8's watches use it: the
 * upgrade handshake, then text and binary messages (fragmented or not) to the listener, pings
 * answered, the closing handshake; frames sent are masked, as a client's must be.
 *
 * <p>As fabric8's JDK client: one message is asked for when the socket opens, and the listener asks
 * for each next one ({@link #request()}); the reading thread waits for that before it hands a
 * message over. A failed handshake completes the response with the server's status and headers and
 * an exception, which fabric8 turns into its {@code WebSocketHandshakeException} (and, for 200 or
 * 503, a fallback to an HTTP watch). A connection that ends without a close frame is an error to
 * the listener; one that ends after {@link #sendClose} without the server's close frame (10 s at
 * most) closes with 1006, as the JDK client aborts.
 *
 * <p>Thread-safe: frames are written under the socket's lock; messages are delivered on the
 * socket's own thread.
 */
final class SocketWebSocket implements WebSocket {

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_MESSAGE = 64 << 20;
  private static final int CLOSE_WAIT_MILLIS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Connection connection;
  private final Listener listener;
  private final Object lock = new Object();
  private long demand = 1; // guarded by lock: one message asked for at open, as the JDK client
  private boolean closeSent; // guarded by this (the writer's lock)
  private volatile boolean closeReceived;

  private SocketWebSocket(Connection connection, Listener listener) {
    this.connection = connection;
    this.listener = listener;
  }

  /** Opens a WebSocket for {@code request} and reads its frames, on the calling thread. */
  static void open(
      SocketHttpClient client,
      StandardHttpRequest request,
      String subprotocol,
      Listener listener,
      CompletableFuture<WebSocketResponse> answer) {
    Connection c;
    try {
      c = client.connect(SocketHttpClient.endpoint(request.uri()));
    } catch (IOException | RuntimeException e) {
      answer.completeExceptionally(e);
      return;
    }
    SocketWebSocket ws;
    WebSocketUpgradeResponse upgrade;
    try {
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      String extra =
          "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              + key
              + "\r\nSec-WebSocket-Version: 13\r\n"
              + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n");
      c.socket().setSoTimeout(SocketHttpClient.timeoutMillis(request));
      SocketHttpClient.write(c.out(), request, extra);
      Http1Answer.Head head = Http1Answer.head(c.in());
      c.socket().setSoTimeout(0);
      upgrade = new WebSocketUpgradeResponse(request, head.status(), head.headers());
      List<String> accept = upgrade.headers("Sec-WebSocket-Accept");
      String refused =
          head.status() != 101
              ? "the server answered the WebSocket upgrade with HTTP " + head.status()
              : !accept.contains(accept(key))
                  ? "the server's Sec-WebSocket-Accept does not match the key sent"
                  : null;
      if (refused != null) {
        c.close();
        answer.complete(new WebSocketResponse(upgrade, new IOException(refused)));
        return;
      }
      ws = new SocketWebSocket(c, listener);
    } catch (IOException | RuntimeException e) {
      c.close();
      answer.completeExceptionally(e);
      return;
    }
    answer.complete(new WebSocketResponse(upgrade, ws));
    listener.onOpen(ws);
    ws.read();
  }

  /** The Sec-WebSocket-Accept that answers {@code key}. */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** Reads frames until the connection closes. */
  private void read() {
    DataInputStream in = new DataInputStream(connection.in());
    ByteArrayOutputStream fragments = null;
    int messageType = 0;
    try {
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0f;
        long length = b1 & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        if ((b1 & 0x80) != 0) {
          throw new IOException("the server sent a masked WebSocket frame");
        }
        if (length < 0 || length > MAX_MESSAGE) {
          throw new IOException("a WebSocket frame of " + length + " bytes is too large");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        switch (opcode) {
          case 0x9 -> frame(0xA, payload);
          case 0xA -> {
            // pong: nothing to do
          }
          case 0x8 -> {
            closeReceived = true;
            int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
            String reason =
                payload.length > 2
                    ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                    : "";
            listener.onClose(this, code, reason);
            sendClose(code == 1005 ? 1000 : code, ""); // the closing handshake's answer
            connection.close();
            return;
          }
          case 0x0, 0x1, 0x2 -> {
            if (opcode != 0) {
              messageType = opcode;
              fragments = null;
            }
            if (!fin || fragments != null) {
              if (fragments == null) {
                fragments = new ByteArrayOutputStream();
              }
              fragments.write(payload);
              if (fragments.size() > MAX_MESSAGE) {
                throw new IOException("a WebSocket message is larger than " + MAX_MESSAGE);
              }
              if (!fin) {
                continue;
              }
              payload = fragments.toByteArray();
              fragments = null;
            }
            if (!awaitDemand()) {
              return;
            }
            if (messageType == 0x1) {
              listener.onMessage(this, new String(payload, StandardCharsets.UTF_8));
            } else {
              listener.onMessage(this, ByteBuffer.wrap(payload));
            }
          }
          default -> throw new IOException("unknown WebSocket opcode " + opcode);
        }
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      connection.close();
      boolean closing;
      synchronized (this) {
        closing = closeSent;
      }
      if (closing) {
        listener.onClose(this, 1006, "closed without the server's close frame");
      } else if (!closeReceived) {
        listener.onError(
            this, e instanceof EOFException ? new IOException("connection closed", e) : e);
      }
    }
  }

  /** Waits until a message is asked for and takes the request; false once closed. */
  private boolean awaitDemand() throws InterruptedException {
    synchronized (lock) {
      while (demand == 0 && !connection.socket().isClosed()) {
        lock.wait(1000);
      }
      if (connection.socket().isClosed()) {
        return false;
      }
      demand--;
      return true;
    }
  }

  @Override
  public void request() {
    synchronized (lock) {
      demand++;
      lock.notifyAll();
    }
  }

  @Override
  public boolean send(ByteBuffer buffer) {
    byte[] payload = new byte[buffer.remaining()];
    buffer.get(payload);
    try {
      frame(0x2, payload);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized boolean sendClose(int code, String reason) {
    if (closeSent) {
      return false;
    }
    byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + Math.min(text.length, 123)];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, payload.length - 2);
    try {
      frame(0x8, payload);
      closeSent = true;
      if (closeReceived) {
        connection.close();
      } else { // the server's close frame within 10 s, or the connection closes (1006)
        CompletableFuture.delayedExecutor(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
            .execute(connection::close);
      }
      return true;
    } catch (IOException e) {
      connection.close();
      return false;
    }
  }

  @Override
  public long queueSize() {
    return 0; // frames are written before send returns
  }

  /** Writes one final, masked frame. */
  private synchronized void frame(int opcode, byte[] payload) throws IOException {
    OutputStream out = connection.out();
    out.write(0x80 | opcode);
    int n = payload.length;
    if (n < 126) {
      out.write(0x80 | n);
    } else if (n < 65536) {
      out.write(0x80 | 126);
      out.write(n >>> 8);
      out.write(n);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) n >>> shift));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    out.write(mask);
    byte[] masked = new byte[n];
    for (int i = 0; i < n; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    out.write(masked);
    out.flush();
  }
}
