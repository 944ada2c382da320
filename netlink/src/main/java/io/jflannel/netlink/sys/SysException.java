package io.jflannel.netlink.sys;

import io.jflannel.netlink.Errno;
import java.io.IOException;

/** A failed system call: keeps the errno and formats {@code "<op> failed: <text> (<ENAME>)"}. */
public final class SysException extends IOException {
  private final int errno;

  public SysException(String operation, int errno) {
    super(operation + " failed: " + Errno.describe(errno));
    this.errno = errno;
  }

  /** The positive errno value. */
  public int errno() {
    return errno;
  }
}
