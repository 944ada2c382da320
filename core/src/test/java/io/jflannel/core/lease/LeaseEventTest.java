package io.jflannel.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import org.junit.jupiter.api.Test;

class LeaseEventTest {

  private static final Lease LEASE =
      new Lease(
          Ip4Net.parse("10.244.3.0/24"),
          null,
          new LeaseAttrs(Ip4.parse("192.168.64.3"), null, "host-gw", null, null),
          null,
          0);

  @Test
  void isEitherAddedOrRemoved() {
    assertThat(describe(new LeaseEvent.Added(LEASE))).isEqualTo("added 10.244.3.0/24");
    assertThat(describe(new LeaseEvent.Removed(LEASE))).isEqualTo("removed 10.244.3.0/24");
  }

  @Test
  void carriesALease() {
    assertThatThrownBy(() -> new LeaseEvent.Added(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new LeaseEvent.Removed(null)).isInstanceOf(NullPointerException.class);
  }

  private static String describe(LeaseEvent event) {
    if (event instanceof LeaseEvent.Added added) {
      return "added " + added.lease().subnets();
    }
    LeaseEvent.Removed removed = (LeaseEvent.Removed) event; // sealed: nothing else exists
    return "removed " + removed.lease().subnets();
  }
}
