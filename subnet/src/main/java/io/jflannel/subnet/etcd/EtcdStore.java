package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.subnet.SubnetException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few etcd operations the subnet manager needs, blocking with a timeout, with failures turned
 * into {@link SubnetException}s that name the key, the verb and the endpoints.
 *
 * <p>Conditional writes are transactions on a key's create revision (the "incarnation" of the key):
 * a renewal or reuse only overwrites the key it read, never one that was deleted and re-created by
 * another node meanwhile. Values read are {@link Entry} records.
 *
 * <p>Thread-safe. Owns the connection: {@link #close()} ends its watch streams.
 */
final class EtcdStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

  /** A key as read from etcd. */
  record Entry(String key, String value, long leaseId, long createRevision, long modRevision) {}

  /** The keys of a range at one revision. */
  record Listing(long revision, List<Entry> entries) {}

  /** An etcd lease: its id and the TTL etcd granted, in seconds. */
  record Grant(long id, long ttlSeconds) {}

  /**
   * A watch event: the key written ({@code kv} with its new value) or deleted ({@code kv} with only
   * the key and the revision of the deletion).
   */
  record Event(boolean deleted, Entry kv) {}

  private final EtcdConnection connection;
  private final List<String> endpoints;
  private final EtcdFailures failures;

  EtcdStore(EtcdConnection connection, Duration timeout) {
    this.connection = connection;
    this.endpoints = connection.options().endpoints();
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
    return new EtcdStore(EtcdConnection.open(options, timeout), timeout);
  }

  /** Returns the value of {@code key}, or empty if it does not exist. */
  Optional<String> value(String key) throws SubnetException, InterruptedException {
    List<Entry> entries = get(key).entries();
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0).value());
  }

  /** Returns {@code key} (no entry if it does not exist) and the revision it was read at. */
  Listing get(String key) throws SubnetException, InterruptedException {
    try {
      return connection.call("/v3/kv/range", EtcdJson.range(key, false), EtcdJson::listing);
    } catch (EtcdException e) {
      throw failure("read " + key, e);
    }
  }

  /** Returns every key under {@code prefix} and the revision they were read at. */
  Listing list(String prefix) throws SubnetException, InterruptedException {
    try {
      return connection.call("/v3/kv/range", EtcdJson.range(prefix, true), EtcdJson::listing);
    } catch (EtcdException e) {
      throw failure("list " + prefix, e);
    }
  }

  /** Grants an etcd lease of {@code ttl} (etcd may grant more: its minimum is about 2 s). */
  Grant grant(Duration ttl) throws SubnetException, InterruptedException {
    JsonNode answer =
        call(
            "/v3/lease/grant",
            EtcdJson.grant(Math.max(1, ttl.toSeconds())),
            "grant a " + ttl.toSeconds() + " s lease");
    return new Grant(EtcdJson.number(answer, "ID"), EtcdJson.number(answer, "TTL"));
  }

  /**
   * Reads {@code key} once, counting only and from the member's own copy (serializable: no
   * consensus round), without waiting: the cheapest question etcd answers, for the lease watch's
   * ping. Completes when etcd answers, exceptionally when it does not within the request timeout.
   */
  CompletableFuture<?> ping(String key) {
    return connection.callAsync("/v3/kv/range", EtcdJson.countSerializable(key));
  }

  /**
   * The seconds etcd lease {@code leaseId} has left (its TTL counting down), or -1 when it has
   * expired or does not exist.
   */
  long timeToLive(long leaseId) throws SubnetException, InterruptedException {
    JsonNode answer =
        call(
            "/v3/lease/timetolive",
            EtcdJson.lease(leaseId),
            "ask the time to live of lease " + Long.toHexString(leaseId));
    return EtcdJson.number(answer, "TTL");
  }

  /** Revokes an etcd lease, logging (not throwing) a failure: used to tidy up. */
  void revokeQuietly(long leaseId) {
    if (leaseId == 0) {
      return;
    }
    try {
      call(
          "/v3/lease/revoke", EtcdJson.lease(leaseId), "revoke lease " + Long.toHexString(leaseId));
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
    return committed(
        call("/v3/kv/txn", EtcdJson.putIf(key, "VERSION", 0, value, leaseId), "create " + key));
  }

  /**
   * Overwrites {@code key} if it is still the incarnation created at {@code createRevision}.
   *
   * @param leaseId the etcd lease to attach, 0 for none (a reservation stays without TTL)
   * @return the revision of the write, or empty if the key is gone or was re-created
   */
  OptionalLong replaceIfSame(String key, String value, long leaseId, long createRevision)
      throws SubnetException, InterruptedException {
    return committed(
        call(
            "/v3/kv/txn",
            EtcdJson.putIf(key, "CREATE", createRevision, value, leaseId),
            "update " + key));
  }

  private static OptionalLong committed(JsonNode txn) {
    return txn.path("succeeded").asBoolean(false)
        ? OptionalLong.of(EtcdJson.revision(txn))
        : OptionalLong.empty();
  }

  /** Deletes {@code key}; deleting a missing key is fine. */
  void delete(String key) throws SubnetException, InterruptedException {
    call("/v3/kv/deleterange", EtcdJson.deleteRange(key), "delete " + key);
  }

  /**
   * Starts a watch of {@code key} (or every key under it) from revision {@code from}, with leader
   * required, progress notifications and the created notification etcd always sends, as upstream's
   * {@code WithRequireLeader}.
   */
  EtcdWatchStream watch(String key, boolean prefix, long from, EtcdWatchStream.Listener listener)
      throws SubnetException, InterruptedException {
    try {
      return connection.watch(EtcdJson.watch(key, prefix, from), listener);
    } catch (EtcdException e) {
      throw failure("watch " + key, e);
    }
  }

  /** Returns the endpoints, for messages. */
  List<String> endpoints() {
    return endpoints;
  }

  @Override
  public void close() {
    connection.close();
  }

  private JsonNode call(String path, String body, String what)
      throws SubnetException, InterruptedException {
    try {
      return connection.call(path, body);
    } catch (EtcdException e) {
      throw failure(what, e);
    }
  }

  private SubnetException failure(String what, EtcdException e) {
    return new SubnetException(
        "etcd: " + what + ": " + (e.isNoAnswer() ? failures.noAnswer() : failures.failed(e)), e);
  }
}
