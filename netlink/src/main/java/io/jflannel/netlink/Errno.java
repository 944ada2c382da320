package io.jflannel.netlink;

import java.util.Map;

/**
 * Linux errno values the binding meets, with their names and the glibc text.
 *
 * <p>A static table rather than {@code strerror(3)} so that messages are the same in every locale
 * and in tests that never load libc. Unknown values print as {@code "errno N"}.
 */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ENXIO = 6;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;
  public static final int ERANGE = 34;
  public static final int ENOTEMPTY = 39;
  public static final int ENODATA = 61;
  public static final int EPROTO = 71;
  public static final int EBADMSG = 74;
  public static final int EMSGSIZE = 90;
  public static final int EPROTONOSUPPORT = 93;
  public static final int EOPNOTSUPP = 95;
  public static final int EAFNOSUPPORT = 97;
  public static final int EADDRINUSE = 98;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENETDOWN = 100;
  public static final int ENETUNREACH = 101;
  public static final int EBADFD = 77;
  public static final int ENOBUFS = 105;
  public static final int ETIMEDOUT = 110;
  public static final int EHOSTUNREACH = 113;

  private record Entry(String name, String text) {}

  private static final Map<Integer, Entry> TABLE =
      Map.ofEntries(
          Map.entry(EPERM, new Entry("EPERM", "Operation not permitted")),
          Map.entry(ENOENT, new Entry("ENOENT", "No such file or directory")),
          Map.entry(ESRCH, new Entry("ESRCH", "No such process")),
          Map.entry(EINTR, new Entry("EINTR", "Interrupted system call")),
          Map.entry(EIO, new Entry("EIO", "Input/output error")),
          Map.entry(ENXIO, new Entry("ENXIO", "No such device or address")),
          Map.entry(EBADF, new Entry("EBADF", "Bad file descriptor")),
          Map.entry(EAGAIN, new Entry("EAGAIN", "Resource temporarily unavailable")),
          Map.entry(ENOMEM, new Entry("ENOMEM", "Cannot allocate memory")),
          Map.entry(EACCES, new Entry("EACCES", "Permission denied")),
          Map.entry(EBUSY, new Entry("EBUSY", "Device or resource busy")),
          Map.entry(EEXIST, new Entry("EEXIST", "File exists")),
          Map.entry(ENODEV, new Entry("ENODEV", "No such device")),
          Map.entry(EINVAL, new Entry("EINVAL", "Invalid argument")),
          Map.entry(ENOSPC, new Entry("ENOSPC", "No space left on device")),
          Map.entry(ERANGE, new Entry("ERANGE", "Numerical result out of range")),
          Map.entry(ENOTEMPTY, new Entry("ENOTEMPTY", "Directory not empty")),
          Map.entry(ENODATA, new Entry("ENODATA", "No data available")),
          Map.entry(EPROTO, new Entry("EPROTO", "Protocol error")),
          Map.entry(EBADMSG, new Entry("EBADMSG", "Bad message")),
          Map.entry(EMSGSIZE, new Entry("EMSGSIZE", "Message too long")),
          Map.entry(EPROTONOSUPPORT, new Entry("EPROTONOSUPPORT", "Protocol not supported")),
          Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "Operation not supported")),
          Map.entry(
              EAFNOSUPPORT, new Entry("EAFNOSUPPORT", "Address family not supported by protocol")),
          Map.entry(EADDRINUSE, new Entry("EADDRINUSE", "Address already in use")),
          Map.entry(EADDRNOTAVAIL, new Entry("EADDRNOTAVAIL", "Cannot assign requested address")),
          Map.entry(ENETDOWN, new Entry("ENETDOWN", "Network is down")),
          Map.entry(ENETUNREACH, new Entry("ENETUNREACH", "Network is unreachable")),
          Map.entry(EBADFD, new Entry("EBADFD", "File descriptor in bad state")),
          Map.entry(ENOBUFS, new Entry("ENOBUFS", "No buffer space available")),
          Map.entry(ETIMEDOUT, new Entry("ETIMEDOUT", "Connection timed out")),
          Map.entry(EHOSTUNREACH, new Entry("EHOSTUNREACH", "No route to host")));

  private Errno() {}

  /** The symbolic name, e.g. {@code "EEXIST"}, or {@code "errno N"} when unknown. */
  public static String name(int errno) {
    Entry e = TABLE.get(errno);
    return e == null ? "errno " + errno : e.name();
  }

  /** {@code "File exists (EEXIST)"}; {@code "errno N"} when unknown. */
  public static String describe(int errno) {
    Entry e = TABLE.get(errno);
    return e == null ? "errno " + errno : e.text() + " (" + e.name() + ")";
  }
}
