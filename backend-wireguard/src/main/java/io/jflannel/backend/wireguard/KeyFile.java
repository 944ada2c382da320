package io.jflannel.backend.wireguard;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's WireGuard private key, kept where upstream keeps it: {@code /run/flannel/wgkey}, or
 * the file named by the environment variable {@code WIREGUARD_KEY_FILE} (upstream's). The file
 * holds the key in base64 as {@code wg genkey} prints it, mode 0400; it is created on the first
 * start and read on every later one, so the node keeps its public key (and its peers keep accepting
 * it) across restarts.
 */
public final class KeyFile {
  private static final Logger log = LoggerFactory.getLogger(KeyFile.class);

  /** Upstream's default path. */
  public static final Path DEFAULT = Path.of("/run/flannel/wgkey");

  /** Upstream's environment variable for another path. */
  public static final String ENV = "WIREGUARD_KEY_FILE";

  private KeyFile() {}

  /** The key file's path: {@code $WIREGUARD_KEY_FILE}, else {@link #DEFAULT}. */
  public static Path path(Map<String, String> env) {
    String p = env.get(ENV);
    return p == null || p.isBlank() ? DEFAULT : Path.of(p);
  }

  /**
   * Reads the private key from {@code file}, or creates the file with a new key if it does not
   * exist (its directory too, mode 0755; the file is written whole under a temporary name and
   * renamed, so a crash never leaves half a key).
   *
   * @throws IOException if the file cannot be read or written, or holds no key; the message names
   *     the file and the fix
   */
  public static WgKey loadOrCreate(Path file) throws IOException {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      try {
        WgKey key = WgKey.parseBase64(text);
        log.info("wireguard: private key read from {}", file);
        return key;
      } catch (IllegalArgumentException e) {
        throw new IOException(
            file
                + " holds no WireGuard private key ("
                + e.getMessage()
                + "); delete it to have a new key made, or write one made by wg genkey");
      }
    } catch (NoSuchFileException e) {
      return create(file);
    }
  }

  private static WgKey create(Path file) throws IOException {
    WgKey key = X25519.generatePrivate();
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (SeekableByteChannel ch =
        Files.newByteChannel(
            tmp,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")))) {
      ch.write(java.nio.ByteBuffer.wrap(key.base64().getBytes(StandardCharsets.US_ASCII)));
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    log.info("wireguard: new private key written to {} (mode 0400)", file);
    return key;
  }
}
