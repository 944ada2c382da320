package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrnoTest {
  /**
   * errno, name and text as glibc 2.36 gives them in the C locale (checked with {@code LC_ALL=C
   * python3 -c 'import os; print(os.strerror(n))'} for each), for every value in the table.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "1 EPERM Operation not permitted",
        "2 ENOENT No such file or directory",
        "3 ESRCH No such process",
        "4 EINTR Interrupted system call",
        "5 EIO Input/output error",
        "6 ENXIO No such device or address",
        "9 EBADF Bad file descriptor",
        "11 EAGAIN Resource temporarily unavailable",
        "12 ENOMEM Cannot allocate memory",
        "13 EACCES Permission denied",
        "16 EBUSY Device or resource busy",
        "17 EEXIST File exists",
        "19 ENODEV No such device",
        "22 EINVAL Invalid argument",
        "28 ENOSPC No space left on device",
        "34 ERANGE Numerical result out of range",
        "39 ENOTEMPTY Directory not empty",
        "61 ENODATA No data available",
        "71 EPROTO Protocol error",
        "74 EBADMSG Bad message",
        "90 EMSGSIZE Message too long",
        "93 EPROTONOSUPPORT Protocol not supported",
        "95 EOPNOTSUPP Operation not supported",
        "97 EAFNOSUPPORT Address family not supported by protocol",
        "98 EADDRINUSE Address already in use",
        "99 EADDRNOTAVAIL Cannot assign requested address",
        "100 ENETDOWN Network is down",
        "101 ENETUNREACH Network is unreachable",
        "105 ENOBUFS No buffer space available",
        "110 ETIMEDOUT Connection timed out",
        "113 EHOSTUNREACH No route to host"
      })
  void describesLinuxErrnosWithGlibcTextAndName(String row) {
    String[] f = row.split(" ", 3);
    int errno = Integer.parseInt(f[0]);
    assertThat(Errno.name(errno)).isEqualTo(f[1]);
    assertThat(Errno.describe(errno)).isEqualTo(f[2] + " (" + f[1] + ")");
  }

  @Test
  void constantsHaveLinuxValues() {
    assertThat(Errno.ENOENT).isEqualTo(2);
    assertThat(Errno.ESRCH).isEqualTo(3);
    assertThat(Errno.EEXIST).isEqualTo(17);
    assertThat(Errno.ENODEV).isEqualTo(19);
    assertThat(Errno.EINVAL).isEqualTo(22);
    assertThat(Errno.EBADMSG).isEqualTo(74);
    assertThat(Errno.EOPNOTSUPP).isEqualTo(95);
    assertThat(Errno.ETIMEDOUT).isEqualTo(110);
  }

  @Test
  void eexistReadsAsFileExists() {
    assertThat(Errno.describe(Errno.EEXIST)).isEqualTo("File exists (EEXIST)");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -17, 7, 4095, Integer.MAX_VALUE})
  void unknownValuesPrintAsTheirNumber(int errno) {
    assertThat(Errno.describe(errno)).isEqualTo("errno " + errno);
    assertThat(Errno.name(errno)).isEqualTo("errno " + errno);
  }
}
