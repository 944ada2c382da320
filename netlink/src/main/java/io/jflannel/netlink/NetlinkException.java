package io.jflannel.netlink;

import java.io.IOException;

/**
 * A netlink request the kernel refused, or that could not be made: keeps the errno and a readable
 * description of the request.
 *
 * <p>The message reads like {@code "RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
 * failed: File exists (EEXIST)"}. Callers branch on {@link #errno()}, never on the text.
 */
public class NetlinkException extends IOException {
  private final int errno;
  private final String request;

  public NetlinkException(String request, int errno) {
    this(request, errno, null, null);
  }

  public NetlinkException(String request, int errno, String kernelMessage, Throwable cause) {
    super(
        request
            + " failed: "
            + Errno.describe(errno)
            + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage),
        cause);
    this.errno = errno;
    this.request = request;
  }

  /** The positive errno value the kernel (or the system call) returned. */
  public int errno() {
    return errno;
  }

  /** The description of the failed request, e.g. {@code "RTM_DELLINK dev flannel.1"}. */
  public String request() {
    return request;
  }
}
