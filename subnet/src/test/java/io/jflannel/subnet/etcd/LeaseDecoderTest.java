package io.jflannel.subnet.etcd;

import static java.time.temporal.ChronoUnit.HOURS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
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
    return entry(name, value, leaseId, 7);
  }

  private static EtcdStore.Entry entry(String name, String value, long leaseId, long modRevision) {
    return new EtcdStore.Entry(
        "/coreos.com/network/subnets/" + name, value, leaseId, 5, modRevision);
  }

  private static final String OTHER_VALUE = VALUE.replace("192.168.64.3", "192.168.64.4");

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

  /** Upstream's value for a dual-stack vxlan node, as its json.Marshal writes it. */
  static final String DUAL_STACK_VALUE =
      "{\"PublicIP\":\"192.168.1.2\",\"PublicIPv6\":\"fd00::2\",\"BackendType\":\"vxlan\","
          + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3c\"},"
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3d\"}}";

  /** Upstream's value for an IPv6-only vxlan node: no IPv4 device, so PublicIP is the zero IP4. */
  static final String IPV6_ONLY_VALUE =
      "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"fd00::3\",\"BackendType\":\"vxlan\","
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3e\"}}";

  @Test
  void decodesUpstreamsDualStackValueAndWritesItBackByteForByte() {
    Lease lease =
        decoder.lease(entry("10.5.52.0-24&fc00::-64", DUAL_STACK_VALUE, 0x1234)).orElseThrow();
    assertThat(lease.key())
        .isEqualTo(new LeaseKey(Ip4Net.parse("10.5.52.0/24"), Ip6Net.parse("fc00::/64")));
    assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.1.2"));
    assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
    assertThat(lease.attrs().backendType()).isEqualTo("vxlan");
    assertThat(lease.attrs().backendData().get("VtepMAC").asText()).isEqualTo("0e:8c:5f:1a:2b:3c");
    assertThat(lease.attrs().backendData().get("VNI").asInt()).isEqualTo(1);
    assertThat(lease.attrs().backendV6Data().get("VtepMAC").asText())
        .isEqualTo("0e:8c:5f:1a:2b:3d");
    assertThat(lease.attrs().toJson()).isEqualTo(DUAL_STACK_VALUE);
  }

  @Test
  void decodesUpstreamsIpv6OnlyKeyAndValue() {
    Lease lease =
        decoder.lease(entry("0.0.0.0-0&fc00:0:0:3::-64", IPV6_ONLY_VALUE, 0x1234)).orElseThrow();
    assertThat(lease.key()).isEqualTo(new LeaseKey(null, Ip6Net.parse("fc00:0:0:3::/64")));
    assertThat(lease.attrs().publicIp()).as("upstream's 0.0.0.0: no IPv4 address").isNull();
    assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::3"));
    assertThat(lease.attrs().backendData()).isNull();
    assertThat(lease.attrs().backendV6Data().get("VtepMAC").asText())
        .isEqualTo("0e:8c:5f:1a:2b:3e");
    assertThat(lease.attrs().toJson()).isEqualTo(IPV6_ONLY_VALUE);
    assertThat(decoder.warnedKeys()).isEmpty();
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

  @Test
  void anUnchangedKeyIsNotDecodedAgain() {
    Lease first = decoder.lease(entry("10.5.52.0-24", VALUE, 1)).orElseThrow();
    Lease again = decoder.lease(entry("10.5.52.0-24", new String(VALUE), 1)).orElseThrow();
    assertThat(again).as("the kept decoding").isSameAs(first);
    assertThat(decoder.keptCount()).isEqualTo(1);
  }

  @Test
  void aRewrittenKeyIsDecodedAgain() {
    Lease first = decoder.lease(entry("10.5.52.0-24", VALUE, 1, 7)).orElseThrow();
    Lease rewritten = decoder.lease(entry("10.5.52.0-24", OTHER_VALUE, 1, 9)).orElseThrow();
    assertThat(rewritten.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.64.4"));
    assertThat(rewritten.revision()).isEqualTo(9);
    Lease renewed = decoder.lease(entry("10.5.52.0-24", OTHER_VALUE, 2, 11)).orElseThrow();
    assertThat(renewed).as("same value, new revision").isNotSameAs(rewritten);
    assertThat(renewed.revision()).isEqualTo(11);
    assertThat(first.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.64.3"));
  }

  @Test
  void aChangedValueUnderTheSameRevisionIsDecodedAgain() {
    // an etcd wiped and refilled starts its revisions over: the same key and revision may then
    // hold another value
    decoder.lease(entry("10.5.52.0-24", VALUE, 1, 7)).orElseThrow();
    Lease other = decoder.lease(entry("10.5.52.0-24", OTHER_VALUE, 1, 7)).orElseThrow();
    assertThat(other.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.64.4"));
    Lease reservation = decoder.lease(entry("10.5.52.0-24", OTHER_VALUE, 0, 7)).orElseThrow();
    assertThat(reservation.expiration()).as("the etcd lease changed: decoded again").isNull();
  }

  @Test
  void aBadValueOverAGoodOneIsNotServedFromTheKeptDecoding() {
    decoder.lease(entry("10.5.52.0-24", VALUE, 1, 7)).orElseThrow();
    assertThat(decoder.lease(entry("10.5.52.0-24", "not json", 1, 8))).isEmpty();
    assertThat(decoder.warnedKeys()).containsExactly("/coreos.com/network/subnets/10.5.52.0-24");
    assertThat(decoder.lease(entry("10.5.52.0-24", VALUE, 1, 9))).isPresent();
    assertThat(decoder.warnedKeys()).isEmpty();
  }

  @Test
  void aDeletedKeyDisappears() {
    Lease first = decoder.lease(entry("10.5.52.0-24", VALUE, 1)).orElseThrow();
    decoder.lease(entry("10.5.53.0-24", VALUE, 1)).orElseThrow();
    decoder.forget("/coreos.com/network/subnets/10.5.52.0-24");
    assertThat(decoder.keptCount()).isEqualTo(1);
    assertThat(decoder.lease(entry("10.5.52.0-24", VALUE, 1)).orElseThrow())
        .as("re-created with the same revision (wiped etcd): decoded afresh")
        .isNotSameAs(first)
        .isEqualTo(first);
  }

  @Test
  void aListingDropsTheKeysItNoLongerHolds() {
    decoder.lease(entry("10.5.52.0-24", VALUE, 1)).orElseThrow();
    Lease kept = decoder.lease(entry("10.5.53.0-24", VALUE, 1)).orElseThrow();
    decoder.retainListed(new EtcdStore.Listing(20, List.of(entry("10.5.53.0-24", VALUE, 1))));
    assertThat(decoder.keptCount()).isEqualTo(1);
    assertThat(decoder.lease(entry("10.5.53.0-24", VALUE, 1)).orElseThrow()).isSameAs(kept);
  }
}
