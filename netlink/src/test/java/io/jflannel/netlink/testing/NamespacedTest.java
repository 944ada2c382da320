package io.jflannel.netlink.testing;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.VxlanAttrs;
import io.jflannel.netlink.VxlanSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the kernel tests: a fresh namespace per test with a {@link Netlink} handle inside it,
 * both removed afterwards; skipped unless root.
 */
@ExtendWith(RootOnly.class)
public abstract class NamespacedTest {
  protected TestNetns ns;
  protected Netlink nl;

  @BeforeEach
  void openNamespace() throws Exception {
    ns = TestNetns.create(getClass().getSimpleName().replace("IT", "").toLowerCase());
    nl = Netlink.openInNamespace(ns.name());
  }

  @AfterEach
  void closeNamespace() {
    if (nl != null) {
      nl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  /** A veth {@code ext0} (peer {@code ext0p}), up, with 192.168.50.2/24: the "external" link. */
  protected Link externalLink() throws Exception {
    nl.links().createVeth("ext0", "ext0p");
    Link ext = nl.links().get("ext0");
    Link peer = nl.links().get("ext0p");
    nl.addresses().add(Address.of(ext.index(), IpPrefix.parse("192.168.50.2/24")));
    nl.links().setUp(peer.index());
    nl.links().setUp(ext.index());
    return nl.links().get(ext.index());
  }

  /** {@code flannel.1} as flannel makes it over {@code ext}, up. */
  protected Link flannelVxlan(Link ext, String mac) throws Exception {
    VxlanAttrs attrs =
        new VxlanAttrs(1, Ips.parse("192.168.50.2"), ext.index(), 8472, false, false);
    Link vx = nl.links().createVxlan(new VxlanSpec("flannel.1", attrs, 0, MacAddress.parse(mac)));
    nl.links().setUp(vx.index());
    return vx;
  }
}
