package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.testing.NamespacedTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetNsIT extends NamespacedTest {
  private static String myNetns() throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
  }

  @Test
  void openingAHandleInANamespaceLeavesTheCallersThreadWhereItWas() throws Exception {
    String before = myNetns();
    try (Netlink other = Netlink.openInNamespace(ns.name())) {
      other.links().createVeth("only0", "only0p");
      assertThat(myNetns()).isEqualTo(before);
      assertThat(ns.ip("link", "show", "only0")).contains("only0");
      String inside = NetNs.call(ns.name(), NetNsIT::myNetnsUnchecked);
      assertThat(inside).isNotEqualTo(before);
    }
  }

  private static String myNetnsUnchecked() {
    try {
      return myNetns();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unknownNamespaceIsAClearError() {
    assertThatThrownBy(() -> Netlink.openInNamespace("jfl-no-such-ns-x"))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
        .hasMessageContaining("open network namespace jfl-no-such-ns-x failed");
  }
}
