package io.jflannel.subnet;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads subnet.env ({@code --subnet-file}, default {@code /run/flannel/subnet.env}), the
 * file through which the flannel CNI plugin learns this node's pod subnet and MTU, in exactly
 * upstream's format (flannel.md §4):
 *
 * <pre>
 * FLANNEL_NETWORK=10.244.0.0/16
 * FLANNEL_SUBNET=10.244.1.1/24
 * FLANNEL_IPV6_NETWORK=2001:cafe:42::/56
 * FLANNEL_IPV6_SUBNET=2001:cafe:42:1::1/64
 * FLANNEL_MTU=1450
 * FLANNEL_IPMASQ=true
 * </pre>
 *
 * <p>Only the enabled families' lines are written, in that order, each ending in {@code \n}.
 *
 * <p>Writing is atomic, so the CNI plugin never reads a half-written file: the bytes go to a temp
 * file in the same directory, which gets mode 0644 (by chmod, so the umask does not matter) and is
 * fsynced, then renamed over the target; the directory is fsynced so the rename survives a crash. A
 * missing parent directory is created with mode 0755. Hazard: a crash between creating and renaming
 * the temp file leaves a {@code .subnet.env*.tmp} file behind; it is harmless.
 *
 * <p>Reading is tolerant: the daemon reads the previous file at start only as a hint (the previous
 * lease, stale masquerade rules), so a missing, unreadable or damaged file is logged and reported
 * as empty, never thrown.
 *
 * <p>Thread-safe: writes use distinct temp files, and concurrent writers leave one complete
 * version.
 */
public final class SubnetFile {

  /** Upstream's default location, {@code /run/flannel/subnet.env}. */
  public static final Path DEFAULT_PATH = Path.of("/run/flannel/subnet.env");

  private static final Logger log = LoggerFactory.getLogger(SubnetFile.class);

  /** Far above any real subnet.env (about 200 bytes); a bigger file is not ours. */
  private static final long MAX_SIZE = 64 * 1024;

  private final Path path;

  /** Creates a handle for the file at {@code path}; nothing is touched until read or write. */
  public SubnetFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  /** Returns the absolute path of the file. */
  public Path path() {
    return path;
  }

  /**
   * Replaces the file atomically with {@code env}.
   *
   * @throws IOException if the directory cannot be created or the file cannot be written or
   *     renamed; the previous file, if any, is then left unchanged
   */
  public void write(SubnetEnv env) throws IOException {
    Path dir = path.getParent();
    createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
    try {
      setMode(temp, "rw-r--r--");
      ByteBuffer bytes = ByteBuffer.wrap(format(env).getBytes(StandardCharsets.UTF_8));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(dir);
    log.debug("subnet file written: {}", path);
  }

  /**
   * Reads the file back.
   *
   * @return the contents, or empty if the file is missing (logged at INFO: the normal first start)
   *     or unreadable or damaged (logged as a warning naming the problem)
   */
  public Optional<SubnetEnv> read() {
    String text;
    try {
      if (Files.size(path) > MAX_SIZE) {
        log.warn("ignoring subnet file {}: larger than {} bytes", path, MAX_SIZE);
        return Optional.empty();
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      log.info("no previous subnet file at {}", path);
      return Optional.empty();
    } catch (CharacterCodingException e) {
      log.warn("ignoring damaged subnet file {}: not UTF-8 text", path);
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cannot read subnet file {}: {}", path, e.toString());
      return Optional.empty();
    }
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring damaged subnet file {}: {}", path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Returns the file's exact bytes (as text) for {@code env}, as upstream writes them. */
  public static String format(SubnetEnv env) {
    StringBuilder out = new StringBuilder();
    if (env.network() != null) {
      out.append("FLANNEL_NETWORK=").append(env.network()).append('\n');
      out.append("FLANNEL_SUBNET=")
          .append(env.subnet().firstUsable())
          .append('/')
          .append(env.subnet().prefixLength())
          .append('\n');
    }
    if (env.ipv6Network() != null) {
      out.append("FLANNEL_IPV6_NETWORK=").append(env.ipv6Network()).append('\n');
      out.append("FLANNEL_IPV6_SUBNET=")
          .append(env.ipv6Subnet().firstUsable())
          .append('/')
          .append(env.ipv6Subnet().prefixLength())
          .append('\n');
    }
    out.append("FLANNEL_MTU=").append(env.mtu()).append('\n');
    out.append("FLANNEL_IPMASQ=").append(env.ipMasq()).append('\n');
    return out.toString();
  }

  /**
   * Parses file text: ours and upstream's, and hand-edited variants that godotenv would accept.
   *
   * @throws IllegalArgumentException naming the first problem: a line that is not {@code
   *     KEY=value}, a value that does not parse, a half-present family, no family, or no MTU or
   *     IPMASQ line
   */
  public static SubnetEnv parse(String text) {
    Map<String, String> values = EnvFile.parse(text.replace("\r\n", "\n"));
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no KEY=value lines");
    }
    String network = values.get("FLANNEL_NETWORK");
    String subnet = values.get("FLANNEL_SUBNET");
    String ipv6Network = values.get("FLANNEL_IPV6_NETWORK");
    String ipv6Subnet = values.get("FLANNEL_IPV6_SUBNET");
    return new SubnetEnv(
        network == null ? null : cidr4("FLANNEL_NETWORK", network),
        subnet == null ? null : cidr4("FLANNEL_SUBNET", subnet),
        ipv6Network == null ? null : cidr6("FLANNEL_IPV6_NETWORK", ipv6Network),
        ipv6Subnet == null ? null : cidr6("FLANNEL_IPV6_SUBNET", ipv6Subnet),
        mtu(values.get("FLANNEL_MTU")),
        ipMasq(values.get("FLANNEL_IPMASQ")));
  }

  private static Ip4Net cidr4(String key, String value) {
    try {
      return Ip4Net.parseContaining(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static Ip6Net cidr6(String key, String value) {
    try {
      return Ip6Net.parseContaining(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static int mtu(String value) {
    if (value == null) {
      throw new IllegalArgumentException("FLANNEL_MTU is missing");
    }
    if (!value.matches("[0-9]{1,7}")) {
      throw new IllegalArgumentException("FLANNEL_MTU is not a whole number");
    }
    return Integer.parseInt(value);
  }

  /** Reads a boolean as Go's {@code strconv.ParseBool} does. */
  private static boolean ipMasq(String value) {
    if (value == null) {
      throw new IllegalArgumentException("FLANNEL_IPMASQ is missing");
    }
    switch (value) {
      case "1", "t", "T", "true", "TRUE", "True":
        return true;
      case "0", "f", "F", "false", "FALSE", "False":
        return false;
      default:
        throw new IllegalArgumentException(
            "FLANNEL_IPMASQ is not true or false: \""
                + value.substring(0, Math.min(value.length(), 16)).replaceAll("[^ -~]", "?")
                + "\"");
    }
  }

  private static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
      setMode(dir, "rwxr-xr-x");
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  private static void setMode(Path file, String mode) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view != null) {
      view.setPermissions(PosixFilePermissions.fromString(mode));
    }
  }

  /** Makes the rename durable; a file system that cannot sync a directory is left as it is. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      log.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }
}
