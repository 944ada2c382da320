package io.jflannel.subnet.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.jflannel.core.subnet.SubnetException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few etcd operations the subnet manager needs, made blocking with a timeout and with jetcd's
 * failures turned into {@link SubnetException}s that name the key, the verb and the endpoints.
 *
 * <p>jetcd answers with futures and throws unchecked exceptions; this class is the one place that
 * waits on them, so the manager reads as a sequence of store operations. Conditional writes are
 * transactions on a key's create revision (the "incarnation" of the key): a renewal or reuse only
 * overwrites the key it read, never one that was deleted and re-created by another node meanwhile.
 * Values read are copied into {@link Entry} records, so nothing of jetcd is retained.
 *
 * <p>Thread-safe (jetcd's client is). Owns the jetcd client: {@link #close()} releases its
 * connections and threads.
 */
final class EtcdStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

  /** A key as read from etcd. */
  record Entry(String key, String value, long leaseId, long createRevision, long modRevision) {}

  /** The keys of a range at one revision. */
  record Listing(long revision, List<Entry> entries) {}

  /** An etcd lease: its id and the TTL etcd granted, in seconds. */
  record Grant(long id, long ttlSeconds) {}

  private final Client client;
  private final List<String> endpoints;
  private final Duration timeout;

  EtcdStore(Client client, List<String> endpoints, Duration timeout) {
    this.client = client;
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
  }

  /**
   * Creates a client for the endpoints; no connection is made until the first request.
   *
   * @throws SubnetException if the TLS files cannot be read
   */
  static EtcdStore connect(EtcdOptions options, Duration timeout) throws SubnetException {
    // listings of tens of thousands of leases exceed gRPC's 4 MiB default; upstream allows MaxInt32
    ClientBuilder builder =
        Client.builder()
            .endpoints(options.endpoints().toArray(String[]::new))
            .maxInboundMessageSize(Integer.MAX_VALUE);
    if (!options.username().isEmpty()) {
      builder.user(bytes(options.username())).password(bytes(options.password()));
    }
    if (options.tls()) {
      try {
        builder.sslContext(
            ssl -> {
              ssl.keyManager(new File(options.certFile()), new File(options.keyFile()));
              if (!options.caFile().isEmpty()) {
                ssl.trustManager(new File(options.caFile()));
              }
              ssl.protocols("TLSv1.3", "TLSv1.2");
            });
      } catch (Exception e) {
        throw new SubnetException(
            "cannot set up TLS to etcd with --etcd-certfile "
                + options.certFile()
                + ", --etcd-keyfile "
                + options.keyFile()
                + (options.caFile().isEmpty() ? "" : ", --etcd-cafile " + options.caFile())
                + ": "
                + e.getMessage()
                + " (the files must be PEM; the key PKCS#8)",
            e);
      }
    } else {
      log.warn(
          "no certificate provided: connecting to etcd {} with http. This is insecure{}",
          options.endpoints(),
          options.caFile().isEmpty() && options.keyFile().isEmpty() && options.certFile().isEmpty()
              ? ""
              : " (TLS needs both --etcd-keyfile and --etcd-certfile)");
    }
    return new EtcdStore(builder.build(), options.endpoints(), timeout);
  }

  /** Returns the value of {@code key}, or empty if it does not exist. */
  Optional<String> value(String key) throws SubnetException, InterruptedException {
    GetResponse response = await(client.getKVClient().get(bytes(key)), "read " + key);
    return response.getKvs().isEmpty()
        ? Optional.empty()
        : Optional.of(response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
  }

  /** Returns {@code key} (no entry if it does not exist) and the revision it was read at. */
  Listing get(String key) throws SubnetException, InterruptedException {
    GetResponse response = await(client.getKVClient().get(bytes(key)), "read " + key);
    List<Entry> entries = new ArrayList<>(1);
    for (KeyValue kv : response.getKvs()) {
      entries.add(entry(kv));
    }
    return new Listing(response.getHeader().getRevision(), entries);
  }

  /** Returns every key under {@code prefix} and the revision they were read at. */
  Listing list(String prefix) throws SubnetException, InterruptedException {
    GetResponse response =
        await(
            client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()),
            "list " + prefix);
    List<Entry> entries = new ArrayList<>(response.getKvs().size());
    for (KeyValue kv : response.getKvs()) {
      entries.add(entry(kv));
    }
    return new Listing(response.getHeader().getRevision(), entries);
  }

  /** Grants an etcd lease of {@code ttl} (etcd may grant more: its minimum is about 2 s). */
  Grant grant(Duration ttl) throws SubnetException, InterruptedException {
    LeaseGrantResponse response =
        await(
            client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())),
            "grant a " + ttl.toSeconds() + " s lease");
    return new Grant(response.getID(), response.getTTL());
  }

  /** Revokes an etcd lease, logging (not throwing) a failure: used to tidy up. */
  void revokeQuietly(long leaseId) {
    if (leaseId == 0) {
      return;
    }
    try {
      await(client.getLeaseClient().revoke(leaseId), "revoke lease " + Long.toHexString(leaseId));
    } catch (SubnetException e) {
      log.debug("{}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Creates {@code key} if it does not exist: {@code If(Version(key) == 0) Then(Put)}, as upstream.
   *
   * @param leaseId the etcd lease to attach, 0 for none
   * @return the revision of the write (the key's create revision), or empty if the key existed
   */
  OptionalLong createIfAbsent(String key, String value, long leaseId)
      throws SubnetException, InterruptedException {
    TxnResponse response =
        await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(bytes(key), bytes(value), putOption(leaseId)))
                .commit(),
            "create " + key);
    return response.isSucceeded()
        ? OptionalLong.of(response.getHeader().getRevision())
        : OptionalLong.empty();
  }

  /**
   * Overwrites {@code key} if it is still the incarnation created at {@code createRevision}.
   *
   * @param leaseId the etcd lease to attach, 0 for none (a reservation stays without TTL)
   * @return the revision of the write, or empty if the key is gone or was re-created
   */
  OptionalLong replaceIfSame(String key, String value, long leaseId, long createRevision)
      throws SubnetException, InterruptedException {
    TxnResponse response =
        await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)))
                .Then(Op.put(bytes(key), bytes(value), putOption(leaseId)))
                .commit(),
            "update " + key);
    return response.isSucceeded()
        ? OptionalLong.of(response.getHeader().getRevision())
        : OptionalLong.empty();
  }

  /** Deletes {@code key}; deleting a missing key is fine. */
  void delete(String key) throws SubnetException, InterruptedException {
    await(client.getKVClient().delete(bytes(key)), "delete " + key);
  }

  /**
   * Starts a jetcd watch of {@code key} (or every key under it) from revision {@code from}, with
   * leader required, progress and created notifications, as upstream's {@code WithRequireLeader}.
   */
  Watch.Watcher watch(String key, boolean prefix, long from, Watch.Listener listener) {
    WatchOption option =
        WatchOption.builder()
            .isPrefix(prefix)
            .withRevision(from)
            .withRequireLeader(true)
            .withProgressNotify(true)
            .withCreateNotify(true)
            .build();
    return client.getWatchClient().watch(bytes(key), option, listener);
  }

  /** Returns the endpoints, for messages. */
  List<String> endpoints() {
    return endpoints;
  }

  @Override
  public void close() {
    client.close();
  }

  private static PutOption putOption(long leaseId) {
    return leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
  }

  private static Entry entry(KeyValue kv) {
    return new Entry(
        kv.getKey().toString(StandardCharsets.UTF_8),
        kv.getValue().toString(StandardCharsets.UTF_8),
        kv.getLease(),
        kv.getCreateRevision(),
        kv.getModRevision());
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private <T> T await(CompletableFuture<T> future, String what)
      throws SubnetException, InterruptedException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new SubnetException(
          "etcd: "
              + what
              + ": no answer from "
              + endpoints
              + " within "
              + timeout.toMillis()
              + " ms; is etcd running and reachable (--etcd-endpoints)?",
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new SubnetException(
          "etcd: " + what + " at " + endpoints + " failed: " + oneLine(cause), cause);
    }
  }

  private static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("\\s+", " ");
  }
}
