package io.jflannel.backend.udp.sys;

import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc functions the udp backend's packet loop needs, declared for jnr-ffi with raw native
 * addresses instead of buffers, so a call marshals nothing and allocates nothing.
 *
 * <p>Every call saves errno, read back through {@link Native#errno()}. Public only because jnr-ffi
 * implements it from another class loader; only {@link Native} calls it.
 */
@SaveError
public interface LibC {
  int socket(int domain, int type, int protocol);

  int bind(int fd, @intptr_t long addr, int len);

  int setsockopt(int fd, int level, int option, @intptr_t long value, int len);

  int getsockname(int fd, @intptr_t long addr, @intptr_t long lenPtr);

  int recvmmsg(int fd, @intptr_t long vec, int vlen, int flags, @intptr_t long timeout);

  int sendmmsg(int fd, @intptr_t long vec, int vlen, int flags);

  @ssize_t
  long read(int fd, @intptr_t long buf, @size_t long count);

  @ssize_t
  long write(int fd, @intptr_t long buf, @size_t long count);

  int poll(@intptr_t long fds, @size_t long nfds, int timeout);

  int eventfd(int initval, int flags);

  int fcntl(int fd, int cmd, int arg);

  int close(int fd);
}
