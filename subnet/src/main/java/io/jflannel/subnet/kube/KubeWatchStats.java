package io.jflannel.subnet.kube;

import java.time.Instant;

/**
 * A snapshot of the node watch, for health checks, metrics and startup logs: whether the initial
 * peer set is known, how big it is, and how events have flowed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param running whether a watch is started and not closed
 * @param synced whether the first list of nodes has been handled (the peer set is complete)
 * @param watching whether the watch connection is currently up
 * @param peers nodes with a usable lease (the own node excluded)
 * @param skippedNodes nodes whose current state yields no lease
 * @param firstListItemAt when the first node of the first list reached the manager, i.e. soon after
 *     the list response had been read and parsed; null before
 * @param syncedAt when the first list had been handled; null before
 * @param batchesDelivered batches handed to the listener
 * @param eventsDelivered events handed to the listener
 * @param listFailures failed lists, and watches fabric8 could not simply resume, each retried with
 *     backoff (a dropped watch connection that fabric8 reopens is not counted)
 */
public record KubeWatchStats(
    boolean running,
    boolean synced,
    boolean watching,
    int peers,
    int skippedNodes,
    Instant firstListItemAt,
    Instant syncedAt,
    long batchesDelivered,
    long eventsDelivered,
    long listFailures) {

  /** The stats of a manager that is not watching. */
  static final KubeWatchStats NOT_RUNNING =
      new KubeWatchStats(false, false, false, 0, 0, null, null, 0, 0, 0);
}
