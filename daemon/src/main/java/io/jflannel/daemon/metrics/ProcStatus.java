package io.jflannel.daemon.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads memory figures of this process from {@code /proc/self/status} ({@code VmRSS}, {@code
 * VmHWM}, ...), which the kernel reports in kB. Empty where there is no such file (not Linux).
 * Stateless and thread-safe.
 */
final class ProcStatus {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcStatus() {}

  /** The value of {@code key} in bytes, e.g. {@code VmRSS}. */
  static Optional<Long> bytes(String key) {
    String text;
    try {
      text = Files.readString(STATUS, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return Optional.empty();
    }
    return parse(text, key);
  }

  /** The value of {@code key} (a {@code "<key>: 123 kB"} line) in {@code text}, in bytes. */
  static Optional<Long> parse(String text, String key) {
    String prefix = key + ":";
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        String[] parts = line.substring(prefix.length()).trim().split("\\s+");
        try {
          long kb = Long.parseLong(parts[0]);
          return Optional.of(parts.length > 1 && parts[1].equals("kB") ? kb * 1024 : kb);
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }
}
