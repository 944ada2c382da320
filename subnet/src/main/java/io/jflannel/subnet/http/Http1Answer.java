package io.jflannel.subnet.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reading an HTTP/1.1 answer (etcd's JSON gateway, the Kubernetes API server): the head (status and
 * headers), then the body by {@code Content-Length}, chunked, or up to the connection's end.
 * Stateless.
 */
public final class Http1Answer {

  private Http1Answer() {}

  /**
   * An answer's status line, the headers that frame its body, and all headers as sent (names as the
   * server spelled them, values in order).
   */
  public record Head(
      int status, boolean chunked, long length, boolean close, Map<String, List<String>> headers) {
    /** Whether the body's end is known without the connection closing. */
    public boolean bounded() {
      return chunked || length >= 0;
    }
  }

  /** Reads an answer's head. */
  public static Head head(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    int status;
    try {
      status = parts.length < 2 || !parts[0].startsWith("HTTP/") ? -1 : Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      status = -1;
    }
    if (status < 0) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    boolean chunked = false;
    boolean close = false;
    long length = -1;
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(header.substring(0, colon).trim(), k -> new ArrayList<>(1))
            .add(header.substring(colon + 1).trim());
      }
      String h = header.toLowerCase(Locale.ROOT);
      if (h.startsWith("transfer-encoding:")) {
        chunked = h.contains("chunked");
      } else if (h.startsWith("content-length:")) {
        length = Long.parseLong(h.substring("content-length:".length()).trim());
      } else if (h.startsWith("connection:")) {
        close = h.contains("close");
      }
    }
    return new Head(status, chunked, length, close, headers);
  }

  /** The body that follows {@code head}. */
  public static InputStream content(InputStream in, Head head) {
    if (head.chunked) {
      return new Chunked(in);
    }
    return head.length >= 0 ? new Bounded(in, head.length) : in;
  }

  /** Reads a CRLF-ended line of an answer's head (ISO-8859-1), without its end. */
  public static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int end = sb.length();
        return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
      }
      sb.append((char) b);
    }
    throw new IOException("the connection closed in the middle of the answer's head");
  }

  /** A body whose end the framing tells: {@link #next} says how many bytes may be read now. */
  abstract static class Framed extends InputStream {
    final InputStream in;
    private final byte[] one = new byte[1];

    Framed(InputStream in) {
      this.in = in;
    }

    /** The bytes that may be read before the next framing, 0 at the end of the body. */
    abstract long next() throws IOException;

    /** {@code n} bytes were read. */
    abstract void consumed(int n);

    @Override
    public int read() throws IOException {
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      long left = next();
      if (left == 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      if (n < 0) {
        throw new IOException("the connection closed in the middle of the answer");
      }
      consumed(n);
      return n;
    }
  }

  /** A body of {@code length} bytes. */
  private static final class Bounded extends Framed {
    private long left;

    Bounded(InputStream in, long length) {
      super(in);
      this.left = length;
    }

    @Override
    long next() {
      return left;
    }

    @Override
    void consumed(int n) {
      left -= n;
    }
  }

  /** An HTTP/1.1 chunked body, decoded. */
  public static final class Chunked extends Framed {
    private long left; // bytes left in the current chunk
    private boolean last;

    /** Decodes the chunked body that {@code in} is at. */
    public Chunked(InputStream in) {
      super(in);
    }

    @Override
    long next() throws IOException {
      while (left == 0 && !last) {
        String size = line(in);
        if (size.isEmpty()) {
          continue; // the CRLF after the previous chunk's data
        }
        int extension = size.indexOf(';');
        left = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
        if (left == 0) {
          last = true;
          while (!line(in).isEmpty()) {
            // trailers, then the empty line that ends the body
          }
        }
      }
      return left;
    }

    @Override
    void consumed(int n) {
      left -= n;
    }
  }
}
