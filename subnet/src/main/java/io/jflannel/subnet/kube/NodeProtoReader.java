package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads one page of a {@code NodeList} in the API server's protobuf encoding ({@code
 * application/vnd.kubernetes.protobuf}), one Node at a time, into the same slim Nodes as {@link
 * NodeListReader}: {@code metadata.name}, {@code metadata.resourceVersion}, {@code
 * metadata.annotations}, {@code spec.podCIDR} and {@code spec.podCIDRs}.
 *
 * <p>Why: in protobuf every field says its length, so what flannel does not read (labels,
 * managedFields, taints, status: most of a Node) is stepped over without being parsed, where JSON
 * must be scanned character by character; and the API server encodes protobuf about twice as fast
 * as JSON. At 5,000 Nodes, against a real API server: BENCHMARKS.md.
 *
 * <p>The encoding: the 4 bytes {@code k8s\0}, then a {@code runtime.Unknown} message whose field 2
 * ({@code raw}) holds the {@code NodeList} (fields: 1 {@code ListMeta}, 2 each item); a Node's
 * fields are 1 {@code ObjectMeta} (1 name, 6 resourceVersion, 12 annotations as map entries of key
 * 1 and value 2), 2 {@code NodeSpec} (1 podCIDR, 7 podCIDRs), 3 status (skipped). Fields may come
 * in any order; unknown ones are skipped by their wire type, as protobuf requires.
 *
 * <p>Memory: the stream is read item by item; one item's bytes are held at a time. Stateless and
 * thread-safe.
 */
final class NodeProtoReader {

  /** The media type the API server answers protobuf with. */
  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

  /** No Node comes near this (etcd refuses values above 1.5 MiB): a larger length is corruption. */
  private static final int MAX_MESSAGE = 16 << 20;

  /** What every protobuf answer of the API server starts with, before its runtime.Unknown. */
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH = 2;
  private static final int FIXED32 = 5;

  private NodeProtoReader() {}

  /** Whether a response's {@code Content-Type} is the API server's protobuf. */
  static boolean isProtobuf(String contentType) {
    return contentType != null && contentType.strip().startsWith(MEDIA_TYPE);
  }

  /**
   * Reads one page, handing each item to {@code each} as soon as it has been read. Does not close
   * {@code in}.
   *
   * @throws IOException if the stream fails or is not a protobuf NodeList
   */
  static NodeListReader.Page read(InputStream in, Consumer<Node> each) throws IOException {
    Stream s = new Stream(new BufferedInputStream(in, 1 << 16));
    byte[] head = s.in.readNBytes(MAGIC.length);
    s.position += head.length;
    if (!hasMagic(head)) {
      throw new IOException("node list: not the API server's protobuf (no k8s magic)");
    }
    String kind = null;
    String contentEncoding = null;
    NodeListReader.Page page = null;
    int tag;
    while ((tag = s.tagOrEnd()) != -1) {
      int field = tag >>> 3;
      if (field == 1 && (tag & 7) == LENGTH) { // typeMeta
        Buf typeMeta = new Buf(s.bytes(s.length(), null));
        kind = typeMeta.stringField(2);
      } else if (field == 2 && (tag & 7) == LENGTH) { // raw: the NodeList
        long length = s.lengthAsLong();
        page = nodeList(s, s.position + length, each);
      } else if (field == 3 && (tag & 7) == LENGTH) {
        contentEncoding = new Buf(s.bytes(s.length(), null)).text();
      } else {
        s.skip(tag);
      }
    }
    if (contentEncoding != null && !contentEncoding.isEmpty()) {
      throw new IOException("node list: unsupported content encoding " + contentEncoding);
    }
    if (kind != null && !kind.isEmpty() && !kind.equals("NodeList")) {
      throw new IOException("node list: the API server answered a " + kind + ", not a NodeList");
    }
    if (page == null) {
      throw new IOException("node list: the protobuf answer holds no list");
    }
    return page;
  }

  /**
   * The {@code message} of a protobuf {@code Status} (an error body), or null if {@code body} is
   * not one.
   */
  static String statusMessage(byte[] body) {
    if (!hasMagic(body)) {
      return null;
    }
    try {
      Buf unknown = new Buf(body);
      unknown.pos = MAGIC.length;
      byte[] raw = unknown.bytesField(2);
      return raw == null ? null : new Buf(raw).stringField(3);
    } catch (IOException | RuntimeException e) {
      return null; // cut short (only the head of an error body is read) or not a Status
    }
  }

  private static boolean hasMagic(byte[] head) {
    return head.length >= MAGIC.length
        && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  private static NodeListReader.Page nodeList(Stream s, long end, Consumer<Node> each)
      throws IOException {
    String resourceVersion = null;
    String continueToken = null;
    int items = 0;
    byte[] scratch = null;
    while (s.position < end) {
      int tag = s.tag();
      int field = tag >>> 3;
      if (field == 2 && (tag & 7) == LENGTH) {
        int length = s.length();
        scratch = s.bytes(length, scratch);
        each.accept(node(new Buf(scratch, length)));
        items++;
      } else if (field == 1 && (tag & 7) == LENGTH) {
        Buf meta = new Buf(s.bytes(s.length(), null));
        while (meta.more()) {
          int t = meta.tag();
          switch (t >>> 3) {
            case 2 -> resourceVersion = meta.string(t);
            case 3 -> continueToken = meta.string(t);
            default -> meta.skip(t);
          }
        }
      } else {
        s.skip(tag);
      }
    }
    if (s.position != end) {
      throw new IOException("node list: an item runs past the end of the list");
    }
    return new NodeListReader.Page(resourceVersion, continueToken, items);
  }

  private static Node node(Buf b) throws IOException {
    ObjectMeta metadata = new ObjectMeta();
    NodeSpec spec = new NodeSpec();
    while (b.more()) {
      int tag = b.tag();
      switch (tag >>> 3) {
        case 1 -> metadata(b.sub(tag), metadata);
        case 2 -> spec(b.sub(tag), spec);
        default -> b.skip(tag);
      }
    }
    Node node = new Node();
    node.setMetadata(metadata);
    node.setSpec(spec);
    return node;
  }

  private static void metadata(Buf b, ObjectMeta metadata) throws IOException {
    Map<String, String> annotations = null;
    while (b.more()) {
      int tag = b.tag();
      switch (tag >>> 3) {
        case 1 -> metadata.setName(nonEmpty(b.string(tag)));
        case 6 -> metadata.setResourceVersion(nonEmpty(b.string(tag)));
        case 12 -> {
          Buf entry = b.sub(tag);
          String key = null;
          String value = "";
          while (entry.more()) {
            int t = entry.tag();
            switch (t >>> 3) {
              case 1 -> key = entry.string(t);
              case 2 -> value = entry.string(t);
              default -> entry.skip(t);
            }
          }
          if (annotations == null) {
            annotations = new HashMap<>();
          }
          annotations.put(key == null ? "" : key, value);
        }
        default -> b.skip(tag);
      }
    }
    if (annotations != null) {
      metadata.setAnnotations(annotations);
    }
  }

  private static void spec(Buf b, NodeSpec spec) throws IOException {
    List<String> podCidrs = null;
    while (b.more()) {
      int tag = b.tag();
      switch (tag >>> 3) {
        case 1 -> spec.setPodCIDR(nonEmpty(b.string(tag)));
        case 7 -> {
          if (podCidrs == null) {
            podCidrs = new ArrayList<>(2);
          }
          podCidrs.add(b.string(tag));
        }
        default -> b.skip(tag);
      }
    }
    if (podCidrs != null) {
      spec.setPodCIDRs(podCidrs);
    }
  }

  /**
   * The API server writes a string field even when it is empty, where its JSON leaves it out
   * ({@code omitempty}); read as JSON reads it: absent.
   */
  private static String nonEmpty(String s) {
    return s.isEmpty() ? null : s;
  }

  /** The response body, read forward only; counts the bytes consumed. */
  private static final class Stream {
    private final InputStream in;
    private long position;

    Stream(InputStream in) {
      this.in = in;
    }

    /** The next field's tag, or -1 at the end of the stream (only between fields). */
    int tagOrEnd() throws IOException {
      int first = in.read();
      if (first == -1) {
        return -1;
      }
      position++;
      return checkedTag(varint(first));
    }

    int tag() throws IOException {
      return checkedTag(varint(next()));
    }

    int length() throws IOException {
      long length = lengthAsLong();
      if (length > MAX_MESSAGE) {
        throw new IOException("node list: a field of " + length + " bytes; not a Node list");
      }
      return (int) length;
    }

    long lengthAsLong() throws IOException {
      long length = varint(next());
      if (length < 0) {
        throw new IOException("node list: a negative length");
      }
      return length;
    }

    /** {@code length} bytes, in {@code reuse} if it is large enough. */
    byte[] bytes(int length, byte[] reuse) throws IOException {
      byte[] b = reuse != null && reuse.length >= length ? reuse : new byte[length];
      int read = in.readNBytes(b, 0, length);
      if (read < length) {
        throw new EOFException("node list: the answer ends inside a field");
      }
      position += length;
      return b;
    }

    void skip(int tag) throws IOException {
      long n =
          switch (tag & 7) {
            case VARINT -> {
              varint(next());
              yield 0;
            }
            case FIXED64 -> 8;
            case FIXED32 -> 4;
            case LENGTH -> lengthAsLong();
            default -> throw new IOException("node list: unknown protobuf wire type " + (tag & 7));
          };
      long left = n;
      while (left > 0) {
        long skipped = in.skip(left);
        if (skipped <= 0) {
          if (in.read() == -1) {
            throw new EOFException("node list: the answer ends inside a field");
          }
          skipped = 1;
        }
        left -= skipped;
      }
      position += n;
    }

    private int next() throws IOException {
      int b = in.read();
      if (b == -1) {
        throw new EOFException("node list: the answer ends inside a field");
      }
      position++;
      return b;
    }

    private long varint(int first) throws IOException {
      long value = first & 0x7f;
      int b = first;
      for (int shift = 7; (b & 0x80) != 0; shift += 7) {
        if (shift > 63) {
          throw new IOException("node list: a malformed varint");
        }
        b = next();
        value |= (long) (b & 0x7f) << shift;
      }
      return value;
    }
  }

  private static int checkedTag(long tag) throws IOException {
    if (tag <= 0 || tag > Integer.MAX_VALUE) {
      throw new IOException("node list: a malformed protobuf tag");
    }
    return (int) tag;
  }

  /** One message's bytes, read in place. */
  private static final class Buf {
    private final byte[] b;
    private final int end;
    private int pos;

    Buf(byte[] b) {
      this(b, 0, b.length);
    }

    Buf(byte[] b, int length) {
      this(b, 0, length);
    }

    private Buf(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int tag() throws IOException {
      return checkedTag(varint());
    }

    /** The length-delimited field whose tag was just read, as a message of its own. */
    Buf sub(int tag) throws IOException {
      int length = length(tag);
      Buf sub = new Buf(b, pos, pos + length);
      pos += length;
      return sub;
    }

    String string(int tag) throws IOException {
      int length = length(tag);
      String s = new String(b, pos, length, StandardCharsets.UTF_8);
      pos += length;
      return s;
    }

    /** The whole message as text. */
    String text() {
      return new String(b, pos, end - pos, StandardCharsets.UTF_8);
    }

    /** The first string of {@code field} in the rest of this message, or null. */
    String stringField(int field) throws IOException {
      while (more()) {
        int tag = tag();
        if (tag >>> 3 == field && (tag & 7) == LENGTH) {
          return string(tag);
        }
        skip(tag);
      }
      return null;
    }

    /** The first bytes of {@code field} in the rest of this message, or null. */
    byte[] bytesField(int field) throws IOException {
      while (more()) {
        int tag = tag();
        if (tag >>> 3 == field && (tag & 7) == LENGTH) {
          Buf sub = sub(tag);
          byte[] out = new byte[sub.end - sub.pos];
          System.arraycopy(b, sub.pos, out, 0, out.length);
          return out;
        }
        skip(tag);
      }
      return null;
    }

    void skip(int tag) throws IOException {
      switch (tag & 7) {
        case VARINT -> varint();
        case FIXED64 -> advance(8);
        case FIXED32 -> advance(4);
        case LENGTH -> advance(length(tag));
        default -> throw new IOException("node list: unknown protobuf wire type " + (tag & 7));
      }
    }

    private int length(int tag) throws IOException {
      if ((tag & 7) != LENGTH) {
        throw new IOException("node list: field " + (tag >>> 3) + " is not length-delimited");
      }
      long length = varint();
      if (length < 0 || length > end - pos) {
        throw new IOException("node list: a field runs past the end of its message");
      }
      return (int) length;
    }

    private void advance(int n) throws IOException {
      if (n > end - pos) {
        throw new IOException("node list: a field runs past the end of its message");
      }
      pos += n;
    }

    private long varint() throws IOException {
      long value = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos >= end || shift > 63) {
          throw new IOException("node list: a malformed varint");
        }
        int x = b[pos++];
        value |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return value;
        }
      }
    }
  }
}
