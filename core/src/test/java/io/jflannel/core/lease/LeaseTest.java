package io.jflannel.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseTest {

  private static final LeaseAttrs ATTRS =
      new LeaseAttrs(Ip4.parse("192.168.64.3"), null, "host-gw", null, null);
  private static final Instant EXPIRY = Instant.parse("2026-11-22T00:00:00Z");

  @Test
  void needsASubnetOfEitherFamily() {
    assertThatThrownBy(() -> new Lease(null, null, ATTRS, EXPIRY, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a lease needs an IPv4 or an IPv6 subnet");
    assertThat(new Lease(null, Ip6Net.parse("fc00:0:0:1::/64"), ATTRS, EXPIRY, 0).subnets())
        .isEqualTo("fc00:0:0:1::/64");
  }

  @Test
  void needsAttributesAndANonNegativeRevision() {
    Ip4Net subnet = Ip4Net.parse("10.244.3.0/24");
    assertThatThrownBy(() -> new Lease(subnet, null, null, EXPIRY, 0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Lease(subnet, null, ATTRS, EXPIRY, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void allowsAClaimThatNeverExpires() {
    assertThat(new Lease(Ip4Net.parse("10.244.3.0/24"), null, ATTRS, null, 7).expiration())
        .isNull();
  }

  @Test
  void isTheSameClaimWhenBothSubnetsMatch() {
    Lease a = new Lease(Ip4Net.parse("10.244.3.0/24"), null, ATTRS, EXPIRY, 1);
    Lease b =
        new Lease(
            Ip4Net.parse("10.244.3.0/24"),
            null,
            new LeaseAttrs(Ip4.parse("192.168.64.9"), null, "host-gw", null, null),
            null,
            2);
    Lease dual =
        new Lease(Ip4Net.parse("10.244.3.0/24"), Ip6Net.parse("fc00:0:0:3::/64"), ATTRS, null, 2);

    assertThat(a.sameSubnets(b)).isTrue();
    assertThat(a).isNotEqualTo(b);
    assertThat(a.sameSubnets(dual)).isFalse();
    assertThat(dual.subnets()).isEqualTo("10.244.3.0/24+fc00:0:0:3::/64");
  }
}
