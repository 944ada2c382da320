package io.jflannel.daemon.run;

/**
 * Told how each pass of a {@link LeaseFeed} went, for the health checks. Called on the feed's
 * threads (the lease delivery thread and the reconcile thread); must return at once.
 */
public interface FeedObserver {

  /** Observes nothing. */
  FeedObserver NONE =
      new FeedObserver() {
        @Override
        public void handled(String error) {}

        @Override
        public void reconciled(String error) {}

        @Override
        public void skipped(String why) {}
      };

  /** The periodic reconcile has been scheduled. */
  default void feedStarted() {}

  /** A batch of lease events was applied ({@code error} null) or could not be at all. */
  void handled(String error);

  /**
   * A reconcile pass made the kernel match the whole peer set ({@code error} null), or failed in
   * the backend.
   */
  void reconciled(String error);

  /** A reconcile pass was skipped: the store could not tell the current peer set. */
  void skipped(String why);
}
