package io.jflannel.netlink;

/** The link asked for by name or index does not exist in this network namespace. */
public final class LinkNotFoundException extends NetlinkException {
  public LinkNotFoundException(String request, int errno) {
    super(request, errno);
  }
}
