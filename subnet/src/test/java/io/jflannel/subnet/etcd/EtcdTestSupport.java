package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.PutOption;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared helpers of the etcd integration tests: configs, attributes, raw etcd access, a listener.
 */
final class EtcdTestSupport {

  static final String CONFIG =
      "{\"Network\": \"10.5.0.0/16\", \"SubnetLen\": 24, \"Backend\": {\"Type\": \"vxlan\"}}";

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private EtcdTestSupport() {}

  /** Returns a prefix no other test uses, so tests can share one etcd. */
  static String freshPrefix() {
    return "/jflannel-test-" + PREFIXES.incrementAndGet() + "/network";
  }

  /** Periods for tests: short backoff and request timeout, upstream's TTL unless changed. */
  static EtcdTimings timings() {
    return EtcdTimings.defaults()
        .withRequestTimeout(Duration.ofSeconds(5))
        .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  static LeaseAttrs attrs(String publicIp) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("VNI", 1);
    data.put(
        "VtepMAC", "aa:bb:cc:dd:ee:" + String.format("%02x", Ip4.parse(publicIp).value() & 0xff));
    return new LeaseAttrs(Ip4.parse(publicIp), null, "vxlan", data, null);
  }

  /** {@code s} as UTF-8 bytes for jetcd, the tests' own client. */
  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static void put(Client client, String key, String value) throws Exception {
    client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
  }

  static void putWithTtl(Client client, String key, String value, long ttlSeconds)
      throws Exception {
    long lease = client.getLeaseClient().grant(ttlSeconds).get(5, TimeUnit.SECONDS).getID();
    client
        .getKVClient()
        .put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease).build())
        .get(5, TimeUnit.SECONDS);
  }

  static void delete(Client client, String key) throws Exception {
    client.getKVClient().delete(bytes(key)).get(5, TimeUnit.SECONDS);
  }

  static Optional<KeyValue> get(Client client, String key) throws Exception {
    List<KeyValue> kvs = client.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
  }

  /** The keys under {@code prefix}. */
  static List<String> keys(Client client, String prefix) throws Exception {
    return client
        .getKVClient()
        .get(
            bytes(prefix),
            io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withKeysOnly(true).build())
        .get()
        .getKvs()
        .stream()
        .map(kv -> kv.getKey().toString(StandardCharsets.UTF_8))
        .toList();
  }

  static String value(KeyValue kv) {
    return kv.getValue().toString(StandardCharsets.UTF_8);
  }

  static long remainingTtl(Client client, long leaseId) throws Exception {
    return client
        .getLeaseClient()
        .timeToLive(leaseId, io.etcd.jetcd.options.LeaseOption.DEFAULT)
        .get(5, TimeUnit.SECONDS)
        .getTTL();
  }

  static long currentRevision(Client client) throws Exception {
    return client.getKVClient().get(bytes("/")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
  }

  /**
   * Records what a lease listener receives: every event in order, the state it implies, and the
   * threads it was called on.
   */
  static final class Recorder implements LeaseListener {
    final BlockingQueue<LeaseEvent> events = new LinkedBlockingQueue<>();
    final List<LeaseEvent> all = java.util.Collections.synchronizedList(new ArrayList<>());
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    private final Map<Ip4Net, Lease> peers = new TreeMap<>();

    @Override
    public void onEvents(List<LeaseEvent> batch) {
      assertThat(batch).isNotEmpty();
      threads.add(Thread.currentThread().getName());
      synchronized (peers) {
        for (LeaseEvent event : batch) {
          if (event.lease().subnet() == null) {
            continue; // IPv6-only: peers() is by IPv4 subnet; such tests read the events
          }
          if (event instanceof LeaseEvent.Added added) {
            peers.put(added.lease().subnet(), added.lease());
          } else {
            peers.remove(event.lease().subnet());
          }
        }
      }
      all.addAll(batch);
      events.addAll(batch);
    }

    /** Returns the peers with an IPv4 subnet the events so far add up to. */
    Map<Ip4Net, Lease> peers() {
      synchronized (peers) {
        return new TreeMap<>(peers);
      }
    }

    /** Takes the next {@code n} events, failing if they do not come within {@code timeout}. */
    List<LeaseEvent> take(int n, Duration timeout) throws InterruptedException {
      List<LeaseEvent> taken = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (taken.size() < n) {
        LeaseEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(event)
            .as("event %d of %d within %s; got %s", taken.size() + 1, n, timeout, taken)
            .isNotNull();
        taken.add(event);
      }
      return taken;
    }

    /** Asserts that no further event arrives within {@code quiet}. */
    void assertNoMoreEvents(Duration quiet) throws InterruptedException {
      assertThat(events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    }
  }

  static String describe(LeaseEvent event) {
    return (event instanceof LeaseEvent.Added ? "+" : "-") + event.lease().subnet();
  }
}
