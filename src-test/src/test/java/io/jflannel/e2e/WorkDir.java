package io.jflannel.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's temporary tree ({@code /tmp/jfl-e2e-<sfx>-*}: etcd data, one directory per host with
 * its subnet.env and daemon log). {@link #close} copies every {@code *.log} to {@code -De2e.logs}
 * (kept for the report, even when the test passed) and deletes the tree.
 */
final class WorkDir implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkDir.class);

  private final Path root;
  private final String keepAs;

  WorkDir(String keepAs) {
    this.keepAs = keepAs;
    try {
      this.root = Files.createTempDirectory("jfl-e2e-" + keepAs.replace('/', '-') + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  /** A directory of the tree, created if missing. */
  Path dir(String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    keepLogs();
    deleteTree(root);
  }

  /** Deletes {@code root} and everything under it; logs (does not throw) what it cannot delete. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", root, e.toString());
    }
  }

  private void keepLogs() {
    String dest = System.getProperty("e2e.logs");
    if (dest == null) {
      return;
    }
    Path to = Path.of(dest, keepAs.replace('/', '-'));
    try (Stream<Path> files = Files.walk(root)) {
      Files.createDirectories(to);
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        String flat = root.relativize(f).toString().replace('/', '-');
        Files.copy(f, to.resolve(flat), StandardCopyOption.REPLACE_EXISTING);
      }
      log.info("logs kept in {}", to);
    } catch (IOException e) {
      log.warn("cannot keep the logs of {} in {}: {}", root, to, e.toString());
    }
  }
}
