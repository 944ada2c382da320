package io.jflannel.netlink.sys;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc functions the binding needs, declared for jnr-ffi.
 *
 * <p>Buffers are direct and passed at their {@code position()} (jnr-ffi honours it), so callers
 * hand over a {@code duplicate()} positioned where the data starts. Every call saves errno, read
 * back through {@link Sys#errno()}. Public only because jnr-ffi implements it from another class
 * loader; only {@link Sys} calls it.
 */
@SaveError
public interface LibC {
  int socket(int domain, int type, int protocol);

  int bind(int fd, @In ByteBuffer addr, int len);

  int setsockopt(int fd, int level, int option, @In ByteBuffer value, int len);

  int getsockopt(int fd, int level, int option, @Out ByteBuffer value, @In @Out ByteBuffer len);

  int getsockname(int fd, @Out ByteBuffer addr, @In @Out ByteBuffer len);

  @ssize_t
  long sendto(
      int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrLen);

  @ssize_t
  long recvfrom(
      int fd, @Out ByteBuffer buf, @size_t long len, int flags, Pointer addr, Pointer addrLen);

  @ssize_t
  long read(int fd, @Out ByteBuffer buf, @size_t long len);

  @ssize_t
  long write(int fd, @In ByteBuffer buf, @size_t long len);

  int open(String path, int flags);

  int close(int fd);

  int ioctl(int fd, long request, @In @Out ByteBuffer arg);

  int setns(int fd, int nstype);

  String strerror(int errnum);
}
