package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.LinkEvents.Event;
import io.jflannel.netlink.LinkEvents.Kind;
import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.TestNetns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Link notifications in a namespace of their own: a device made, set down, deleted. */
@ExtendWith(RootOnly.class)
class LinkEventsIT {
  private TestNetns ns;
  private LinkEvents events;

  @BeforeEach
  void setUp() throws Exception {
    ns = TestNetns.create("linkev");
    events = NetNs.call(ns.name(), () -> LinkEvents.open(Duration.ofMillis(200)));
  }

  @AfterEach
  void tearDown() {
    if (events != null) {
      events.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  /** Reads notifications until one matches, for at most 5 s. */
  private Event await(Predicate<Event> what) throws NetlinkException {
    List<Event> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      for (Event e : events.next()) {
        seen.add(e);
        if (what.test(e)) {
          return e;
        }
      }
    }
    throw new AssertionError("no matching link notification; saw " + seen);
  }

  @Test
  void reportsADeviceMadeSetDownAndDeletedWithItsAttributes() throws Exception {
    ns.ip("link", "add", "vx9", "type", "vxlan", "id", "9", "dstport", "4789", "nolearning");
    Event made = await(e -> e.kind() == Kind.CHANGED && e.link().name().equals("vx9"));
    assertThat(made.link().vxlan().vni()).isEqualTo(9);
    assertThat(made.link().isUp()).isFalse();

    ns.ip("link", "set", "vx9", "up");
    await(e -> e.kind() == Kind.CHANGED && e.link().name().equals("vx9") && e.link().isUp());
    ns.ip("link", "set", "vx9", "down");
    await(e -> e.kind() == Kind.CHANGED && e.link().name().equals("vx9") && !e.link().isUp());

    ns.ip("link", "del", "vx9");
    Event gone = await(e -> e.kind() == Kind.DELETED && e.link().name().equals("vx9"));
    assertThat(gone.link().index()).isEqualTo(made.link().index());
  }

  @Test
  void nothingHappeningIsAnEmptyBatchAfterTheWait() throws Exception {
    long t0 = System.nanoTime();
    assertThat(events.next()).isEmpty();
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(100L, 2000L);
  }
}
