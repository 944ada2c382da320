package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.testing.NamespacedTest;
import org.junit.jupiter.api.Test;

class AddressesIT extends NamespacedTest {
  @Test
  void addsListsReplacesAndDeletesV4AndV6Addresses() throws Exception {
    Link ext = externalLink();
    Address v4 = Address.of(ext.index(), IpPrefix.parse("10.244.1.0/32"));
    Address v6 = new Address(ext.index(), IpPrefix.parse("fd00:42::1/64"), 0, 0x80); // nodad
    nl.addresses().add(v4);
    nl.addresses().add(v6);

    assertThat(nl.addresses().list(ext.index()))
        .extracting(Address::prefix)
        .contains(
            IpPrefix.parse("192.168.50.2/24"),
            IpPrefix.parse("10.244.1.0/32"),
            IpPrefix.parse("fd00:42::1/64"));
    String shown = ns.ip("addr", "show", "dev", "ext0");
    assertThat(shown).contains("inet 10.244.1.0/32").contains("inet6 fd00:42::1/64");

    assertThatThrownBy(() -> nl.addresses().add(v4))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
        .hasMessageStartingWith("RTM_NEWADDR 10.244.1.0/32 dev ext0 failed: File exists (EEXIST)");
    nl.addresses().replace(v4); // idempotent

    nl.addresses().delete(v4);
    nl.addresses().delete(v6);
    assertThat(nl.addresses().list(ext.index()))
        .extracting(Address::prefix)
        .doesNotContain(IpPrefix.parse("10.244.1.0/32"), IpPrefix.parse("fd00:42::1/64"));
    assertThat(ns.ip("addr", "show", "dev", "ext0")).doesNotContain("10.244.1.0");
  }

  @Test
  void listsLoopbackAddresses() throws Exception {
    assertThat(nl.addresses().list(1))
        .extracting(Address::prefix)
        .contains(IpPrefix.parse("127.0.0.1/8"));
  }
}
