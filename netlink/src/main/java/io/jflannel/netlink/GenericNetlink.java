package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.NLM_F_ACK;
import static io.jflannel.netlink.wire.Rt.NLM_F_REQUEST;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.util.List;

/**
 * One {@code NETLINK_GENERIC} socket: resolves a family's id with the controller's {@code
 * CTRL_CMD_GETFAMILY} and carries that family's requests, acks and dumps. Generic netlink messages
 * are netlink messages whose type is the family id, with a 4-byte {@code genlmsghdr} ({@code cmd},
 * {@code version}, reserved) before the attributes.
 *
 * <p>Thread-safety: calls are serialized on the handle. Bound to the network namespace of the
 * thread that opened it.
 */
public final class GenericNetlink implements AutoCloseable {
  /** The controller family's fixed id. */
  static final int GENL_ID_CTRL = 0x10;

  static final int CTRL_CMD_NEWFAMILY = 1;
  static final int CTRL_CMD_GETFAMILY = 3;
  static final int CTRL_ATTR_FAMILY_ID = 1;
  static final int CTRL_ATTR_FAMILY_NAME = 2;

  /** {@code sizeof(struct genlmsghdr)}. */
  static final int GENL_HDRLEN = 4;

  private final NetlinkSocket socket;

  private GenericNetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens a socket in the calling thread's network namespace. */
  public static GenericNetlink open() throws NetlinkException {
    return new GenericNetlink(NetlinkSocket.open(Sys.NETLINK_GENERIC));
  }

  /** A request of family {@code family}: netlink header, then {@code genlmsghdr}. */
  static MessageBuilder request(int family, int flags, int cmd, int version) {
    return new MessageBuilder(family, NLM_F_REQUEST | flags).u8(cmd).u8(version).u16(0);
  }

  /** {@code CTRL_CMD_GETFAMILY} for {@code name}. */
  static Request getFamily(String name) {
    return new Request(
        request(GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1)
            .attrString(CTRL_ATTR_FAMILY_NAME, name),
        "CTRL_CMD_GETFAMILY " + name);
  }

  /** The family id in a {@code CTRL_CMD_NEWFAMILY} reply. */
  static int familyId(NlMessage m) throws NetlinkParseException {
    if (m.u8(0) != CTRL_CMD_NEWFAMILY) {
      throw new NetlinkParseException("controller reply with command " + m.u8(0));
    }
    return m.attrs(GENL_HDRLEN).u16(CTRL_ATTR_FAMILY_ID);
  }

  /**
   * The id of the family {@code name}, e.g. {@code wireguard}.
   *
   * @throws NetlinkException with {@code ENOENT} when the kernel has no such family (its module is
   *     not loaded)
   */
  public synchronized int family(String name) throws NetlinkException {
    return socket.get(getFamily(name), GenericNetlink::familyId);
  }

  synchronized void execute(Request r) throws NetlinkException {
    socket.execute(r);
  }

  synchronized <T> List<T> dump(Request r, NetlinkSocket.Decoder<T> decoder)
      throws NetlinkException {
    return socket.dump(r, decoder);
  }

  @Override
  public synchronized void close() {
    socket.close();
  }
}
