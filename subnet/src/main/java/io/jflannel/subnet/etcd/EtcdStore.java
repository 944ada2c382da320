package io.jflannel.subnet.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.jflannel.core.subnet.SubnetException;
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
import java.util.function.Function;
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

  private final EtcdConnection connection;
  private final List<String> endpoints;
  private final Duration timeout;
  private final EtcdFailures failures;

  EtcdStore(EtcdConnection connection, Duration timeout) {
    this.connection = connection;
    this.endpoints = connection.options().endpoints();
    this.timeout = timeout;
    this.failures = new EtcdFailures(connection.options(), connection.tls(), timeout);
  }

  /**
   * Creates a client for the endpoints ({@link EtcdConnection}); no connection is made until the
   * first request.
   *
   * @throws SubnetException if the TLS files cannot be read, or do not fit together ({@link
   *     EtcdTls})
   */
  static EtcdStore connect(EtcdOptions options, Duration timeout) throws SubnetException {
    return new EtcdStore(EtcdConnection.open(options), timeout);
  }

  /** Returns the value of {@code key}, or empty if it does not exist. */
  Optional<String> value(String key) throws SubnetException, InterruptedException {
    GetResponse response = await(c -> c.getKVClient().get(bytes(key)), "read " + key);
    return response.getKvs().isEmpty()
        ? Optional.empty()
        : Optional.of(response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
  }

  /** Returns {@code key} (no entry if it does not exist) and the revision it was read at. */
  Listing get(String key) throws SubnetException, InterruptedException {
    return listing(await(c -> c.getKVClient().get(bytes(key)), "read " + key));
  }

  /** Returns every key under {@code prefix} and the revision they were read at. */
  Listing list(String prefix) throws SubnetException, InterruptedException {
    GetResponse response =
        await(
            c -> c.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()),
            "list " + prefix);
    return listing(response);
  }

  private static Listing listing(GetResponse response) {
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
            c -> c.getLeaseClient().grant(Math.max(1, ttl.toSeconds())),
            "grant a " + ttl.toSeconds() + " s lease");
    return new Grant(response.getID(), response.getTTL());
  }

  /**
   * Reads {@code key} once, counting only and from the member's own copy (serializable: no
   * consensus round), without waiting: the cheapest question etcd answers, for the lease watch's
   * ping. Completes when etcd answers, exceptionally when it does not within the request timeout.
   */
  CompletableFuture<?> ping(String key) {
    return connection
        .client()
        .getKVClient()
        .get(bytes(key), GetOption.builder().withCountOnly(true).withSerializable(true).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The seconds etcd lease {@code leaseId} has left (its TTL counting down), or -1 when it has
   * expired or does not exist.
   */
  long timeToLive(long leaseId) throws SubnetException, InterruptedException {
    LeaseTimeToLiveResponse response =
        await(
            c -> c.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT),
            "ask the time to live of lease " + Long.toHexString(leaseId));
    return response.getTTL();
  }

  /** Revokes an etcd lease, logging (not throwing) a failure: used to tidy up. */
  void revokeQuietly(long leaseId) {
    if (leaseId == 0) {
      return;
    }
    try {
      await(c -> c.getLeaseClient().revoke(leaseId), "revoke lease " + Long.toHexString(leaseId));
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
            c ->
                c.getKVClient()
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
            c ->
                c.getKVClient()
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
    await(c -> c.getKVClient().delete(bytes(key)), "delete " + key);
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
    return connection.client().getWatchClient().watch(bytes(key), option, listener);
  }

  /** Returns the endpoints, for messages. */
  List<String> endpoints() {
    return endpoints;
  }

  @Override
  public void close() {
    connection.close();
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

  /**
   * Sends a request and waits for its answer; a request refused as unauthenticated is sent once
   * more if it turns out etcd has authentication disabled ({@link EtcdConnection}).
   */
  private <T> T await(Function<Client, CompletableFuture<T>> request, String what)
      throws SubnetException, InterruptedException {
    try {
      return awaitOnce(request.apply(connection.client()), what);
    } catch (SubnetException e) {
      if (e.getCause() != null
          && EtcdFailures.oneLine(e.getCause()).startsWith("UNAUTHENTICATED")
          && connection.dropCredentialsIfAuthDisabled(timeout)) {
        return awaitOnce(request.apply(connection.client()), what);
      }
      throw e;
    }
  }

  private <T> T awaitOnce(CompletableFuture<T> future, String what)
      throws SubnetException, InterruptedException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new SubnetException("etcd: " + what + ": " + failures.noAnswer(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new SubnetException("etcd: " + what + ": " + failures.failed(cause), cause);
    }
  }
}
