package io.jflannel.netlink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A handle on the kernel's routing netlink ({@code NETLINK_ROUTE}): links, addresses, routes,
 * neighbours, FDB entries and nexthop objects of one network namespace.
 *
 * <p>One handle owns one socket, bound to the namespace it was opened in ({@link #open()} for the
 * caller's, {@link #openInNamespace(String)} for a named one). Operations are grouped by object:
 * {@link #links()}, {@link #addresses()}, {@link #routes()}, {@link #neighbours()}, {@link #fdb()},
 * {@link #nexthops()}. Each write waits for the kernel's ack and throws {@link NetlinkException}
 * with the errno; {@link #batch(List)} sends many requests per system call and reports each one's
 * result.
 *
 * <p>Thread-safety: one socket carries one conversation at a time, so every call takes the handle's
 * lock; use one handle per thread that needs to run in parallel. The handle must be {@link #close()
 * closed}, or its file descriptor leaks.
 */
public final class Netlink implements AutoCloseable {
  private static final NetlinkStats STATS = NetlinkStats.global();
  private final NetlinkSocket socket;
  private final Map<Integer, String> names = new HashMap<>();
  private final Links links = new Links(this);
  private final Addresses addresses = new Addresses(this);
  private final Routes routes = new Routes(this);
  private final Neighbours neighbours = new Neighbours(this);
  private final Fdb fdb = new Fdb(this);
  private final Nexthops nexthops = new Nexthops(this);

  private Netlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens a handle in the calling thread's network namespace. */
  public static Netlink open() throws NetlinkException {
    return new Netlink(NetlinkSocket.open());
  }

  /**
   * Opens a handle inside the named namespace {@code /var/run/netns/<name>}; the caller's thread
   * stays where it is. Like running {@code ip -n <name> ...}.
   */
  public static Netlink openInNamespace(String name) throws NetlinkException {
    return NetNs.call(name, Netlink::open);
  }

  public Links links() {
    return links;
  }

  public Addresses addresses() {
    return addresses;
  }

  public Routes routes() {
    return routes;
  }

  public Neighbours neighbours() {
    return neighbours;
  }

  public Fdb fdb() {
    return fdb;
  }

  public Nexthops nexthops() {
    return nexthops;
  }

  /**
   * Sends all {@code requests} (built with the operation classes' {@code ...Request} methods),
   * packed many per {@code sendmsg}, and returns one {@link Result} per request, in order. A failed
   * request does not stop the others. Like {@code ip -batch} with {@code -force}.
   *
   * @throws NetlinkException only when the socket itself fails (then some requests may have been
   *     carried out)
   */
  public synchronized List<Result> batch(List<Request> requests) throws NetlinkException {
    NetlinkSocket.Ack[] acks;
    try {
      acks = socket.batch(requests);
    } catch (NetlinkException e) {
      requests.forEach(r -> STATS.record(r, 0));
      throw e;
    }
    List<Result> out = new ArrayList<>(acks.length);
    for (int i = 0; i < acks.length; i++) {
      Request r = requests.get(i);
      STATS.record(r, acks[i].errno());
      out.add(new Result(r, acks[i].errno(), acks[i].message()));
    }
    return out;
  }

  synchronized void execute(Request r) throws NetlinkException {
    try {
      socket.execute(r);
      STATS.record(r, 0);
    } catch (NetlinkException e) {
      STATS.record(r, e.errno());
      throw e;
    }
  }

  synchronized <T> T get(Request r, NetlinkSocket.Decoder<T> decoder) throws NetlinkException {
    try {
      T t = socket.get(r, decoder);
      STATS.record(r, 0);
      return t;
    } catch (NetlinkException e) {
      STATS.record(r, e.errno());
      throw e;
    }
  }

  synchronized <T> List<T> dump(Request r, NetlinkSocket.Decoder<T> decoder)
      throws NetlinkException {
    try {
      List<T> l = socket.dump(r, decoder);
      STATS.record(r, 0);
      return l;
    } catch (NetlinkException e) {
      STATS.record(r, e.errno());
      throw e;
    }
  }

  /** The name of link {@code index} for messages; cached; {@code "if<N>"} if it cannot be had. */
  synchronized String linkName(int index) {
    String n = names.get(index);
    if (n == null) {
      try {
        n = socket.get(LinkCodec.getByIndex(index), LinkCodec::decode).name();
        names.put(index, n);
      } catch (NetlinkException e) {
        return "if" + index;
      }
    }
    return n;
  }

  synchronized void forceSequence(int next) {
    socket.forceSequence(next);
  }

  synchronized void forgetLink(int index) {
    names.remove(index);
  }

  @Override
  public synchronized void close() {
    socket.close();
  }
}
