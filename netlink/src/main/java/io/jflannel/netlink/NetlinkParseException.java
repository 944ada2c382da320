package io.jflannel.netlink;

/**
 * A reply from the kernel that is truncated or malformed (lengths that do not add up, an attribute
 * of the wrong size). Carries {@code EBADMSG}.
 */
public final class NetlinkParseException extends NetlinkException {
  public NetlinkParseException(String detail) {
    super("parse of netlink reply (" + detail + ")", Errno.EBADMSG);
  }
}
