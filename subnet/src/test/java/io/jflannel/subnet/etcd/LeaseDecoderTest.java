package io.jflannel.subnet.etcd;

import static java.time.temporal.ChronoUnit.HOURS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LeaseDecoderTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final String VALUE =
      "{\"PublicIP\":\"192.168.64.3\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
          + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}}";

  private final LeaseDecoder decoder =
      new LeaseDecoder(
          new EtcdKeys("/coreos.com/network"),
          Duration.ofHours(24),
          Clock.fixed(NOW, ZoneOffset.UTC));

  private static EtcdStore.Entry entry(String name, String value, long leaseId) {
    return new EtcdStore.Entry("/coreos.com/network/subnets/" + name, value, leaseId, 5, 7);
  }

  @Test
  void decodesUpstreamsValue() {
    Lease lease = decoder.lease(entry("10.5.52.0-24&fc00::-64", VALUE, 0x1234)).orElseThrow();
    assertThat(lease.subnet()).isEqualTo(Ip4Net.parse("10.5.52.0/24"));
    assertThat(lease.ipv6Subnet()).isEqualTo(Ip6Net.parse("fc00::/64"));
    assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.64.3"));
    assertThat(lease.attrs().toJson()).isEqualTo(VALUE);
    assertThat(lease.revision()).isEqualTo(7);
    assertThat(lease.expiration()).as("estimated: now + TTL").isEqualTo(NOW.plus(24, HOURS));
  }

  @Test
  void aKeyWithoutEtcdLeaseIsAReservationThatNeverExpires() {
    assertThat(decoder.lease(entry("10.5.52.0-24", VALUE, 0)).orElseThrow().expiration()).isNull();
  }

  @Test
  void warnsOncePerBadKeyUntilItIsFixedOrDeleted() {
    assertThat(decoder.lease(entry("10.5.52.0-24", "not json", 1))).isEmpty();
    assertThat(decoder.lease(entry("10.5.52.0-24", "{\"PublicIP\":7}", 1))).isEmpty();
    assertThat(decoder.lease(entry("garbage", VALUE, 1))).isEmpty();
    assertThat(decoder.warnedKeys())
        .containsExactlyInAnyOrder(
            "/coreos.com/network/subnets/10.5.52.0-24", "/coreos.com/network/subnets/garbage");

    assertThat(decoder.lease(entry("10.5.52.0-24", VALUE, 1))).isPresent();
    decoder.forget("/coreos.com/network/subnets/garbage");
    assertThat(decoder.warnedKeys()).isEmpty();
  }
}
