package io.jflannel.netlink;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs a piece of work inside a named network namespace ({@code /var/run/netns/<name>}, as made by
 * {@code ip netns add}) without moving the caller's thread.
 *
 * <p>The work runs on a short-lived platform thread that calls {@code setns(2)} first and dies
 * afterwards, so no thread of the process is left in the namespace. Sockets and devices opened by
 * the work stay bound to that namespace for their whole life: that is how a {@link Netlink} handle
 * or a {@link Tun} is opened "inside" a namespace. Equivalent to {@code ip netns exec <name>} for
 * the duration of one call.
 */
public final class NetNs {
  private NetNs() {}

  /** A unit of work that may fail with a netlink error. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws NetlinkException;
  }

  /** The bind-mount path of namespace {@code name}. */
  public static Path path(String name) {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("bad network namespace name: " + name);
    }
    return Path.of("/var/run/netns", name);
  }

  /** Opens a descriptor of namespace {@code name} (for {@code IFLA_NET_NS_FD}); caller closes. */
  public static int open(String name) throws NetlinkException {
    try {
      return Sys.open(path(name).toString(), Sys.O_RDONLY | Sys.O_CLOEXEC);
    } catch (SysException e) {
      throw new NetlinkException("open network namespace " + name, e.errno(), null, e);
    }
  }

  /** Runs {@code work} on a fresh thread inside namespace {@code name} and returns its result. */
  public static <T> T call(String name, Work<T> work) throws NetlinkException {
    int fd = open(name);
    try {
      FutureTask<T> task =
          new FutureTask<>(
              () -> {
                try {
                  Sys.setns(fd, Sys.CLONE_NEWNET);
                } catch (SysException e) {
                  throw new NetlinkException("setns " + name, e.errno(), null, e);
                }
                return work.run();
              });
      Thread t = new Thread(task, "netns-" + name);
      t.setDaemon(true);
      t.start();
      try {
        return task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NetlinkException("enter network namespace " + name, Errno.EINTR, null, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof NetlinkException ne) {
          throw ne;
        }
        throw new IllegalStateException("in network namespace " + name, e.getCause());
      }
    } finally {
      Sys.close(fd);
    }
  }
}
