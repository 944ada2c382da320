package io.jflannel.subnet.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP/1.1 connections kept open between requests, per endpoint ({@code scheme://host:port}), for
 * 30 s at most; one taken from here serves one request at a time.
 *
 * <p>Thread-safe.
 */
public final class IdleConnections implements AutoCloseable {

  private static final long IDLE_NANOS = Duration.ofSeconds(30).toNanos();

  private final Map<URI, Deque<Connection>> idle = new HashMap<>(); // guarded by itself
  private volatile boolean closed;

  /** Returns an idle connection to {@code endpoint} that the server has not closed, or null. */
  public Connection take(URI endpoint) {
    while (true) {
      Connection c;
      synchronized (idle) {
        Deque<Connection> q = idle.get(endpoint);
        c = q == null ? null : q.pollLast();
      }
      if (c == null) {
        return null;
      }
      if (System.nanoTime() - c.idleSince < IDLE_NANOS && c.alive()) {
        return c;
      }
      c.close();
    }
  }

  /** Keeps {@code c}, whose last answer was read to its end, for the next request. */
  public void release(Connection c) {
    c.idleSince = System.nanoTime();
    synchronized (idle) {
      if (!closed) {
        idle.computeIfAbsent(c.endpoint, k -> new ArrayDeque<>()).addLast(c);
        return;
      }
    }
    c.close();
  }

  /** Closes the idle connections; requests under way finish on theirs. */
  @Override
  public void close() {
    closed = true;
    synchronized (idle) {
      idle.values().forEach(q -> q.forEach(Connection::close));
      idle.clear();
    }
  }

  /** One connection to an endpoint, with buffered streams. */
  public static final class Connection {
    final URI endpoint;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    long idleSince;

    /**
     * @param endpoint the pool's key for it: {@code scheme://host:port}
     */
    public Connection(URI endpoint, Socket socket) throws IOException {
      this.endpoint = endpoint;
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 1 << 14);
      this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    public Socket socket() {
      return socket;
    }

    public InputStream in() {
      return in;
    }

    public OutputStream out() {
      return out;
    }

    /** Whether the server has not closed this idle connection (a read would block). */
    boolean alive() {
      try {
        if (in.available() > 0) {
          return false; // bytes nobody asked for: not a clean connection
        }
        socket.setSoTimeout(1);
        in.read(); // returns only if the server closed (-1) or sent bytes nobody asked for
        return false;
      } catch (SocketTimeoutException e) {
        return true; // nothing to read, not closed
      } catch (IOException e) {
        return false;
      }
    }

    /** Closes the socket (a read blocked on it ends with an exception). */
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing: nothing to report
      }
    }
  }
}
