package io.jflannel.subnet;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which flanneld offers TLS cipher suites to etcd and the API server: the JDK's own
 * enabled suites, unchanged as a set, with the ChaCha20-Poly1305 suites moved to the front.
 *
 * <p>Why: the launcher runs the JVM with C1 only ({@code -XX:TieredStopAtLevel=1}), and C1 has no
 * AES-GCM intrinsics, so AES-GCM runs as plain Java: decrypting 5 MB took 243 ms there, against 46
 * ms for ChaCha20-Poly1305 (BENCHMARKS.md, "TLS: ChaCha20 first"). A Node list of 5,000 Nodes is
 * about that much. Servers written in Go (etcd, kube-apiserver) choose ChaCha20-Poly1305 when the
 * client prefers it; a server that does not offer it still finds the AES suites further down the
 * list, so nothing that connected before fails now.
 *
 * <p>Stateless and thread-safe.
 */
public final class CipherOrder {

  private CipherOrder() {}

  /**
   * Returns {@code suites} with every ChaCha20 suite first, each group in its original order.
   * Returns null for null (the JDK then uses its defaults).
   */
  public static String[] chachaFirst(String[] suites) {
    if (suites == null) {
      return null;
    }
    List<String> first = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String suite : suites) {
      (suite.contains("CHACHA20") ? first : rest).add(suite);
    }
    first.addAll(rest);
    return first.toArray(String[]::new);
  }
}
