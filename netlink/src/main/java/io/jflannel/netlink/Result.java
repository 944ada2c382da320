package io.jflannel.netlink;

/**
 * The outcome of one request of a {@link Netlink#batch batch}: done ({@code errno == 0}) or the
 * kernel's errno.
 */
public record Result(Request request, int errno, String kernelMessage) {
  /** Whether the kernel carried the request out. */
  public boolean ok() {
    return errno == 0;
  }

  /** The failure as an exception (for logging or rethrowing); null when {@link #ok()}. */
  public NetlinkException exception() {
    return ok() ? null : new NetlinkException(request.description(), errno, kernelMessage, null);
  }

  @Override
  public String toString() {
    return ok() ? request.description() + ": done" : exception().getMessage();
  }
}
