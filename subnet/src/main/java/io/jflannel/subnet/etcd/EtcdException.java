package io.jflannel.subnet.etcd;

/**
 * A failed etcd request: etcd's own error (its gRPC status code and message, as its JSON gateway
 * returns them), an endpoint that could not be reached, or no answer within the request timeout.
 *
 * <p>The message reads as gRPC clients print a status, {@code "<CODE_NAME>: <etcd's message>"},
 * e.g. {@code "PERMISSION_DENIED: etcdserver: permission denied"}, so that {@link EtcdFailures}
 * words it the same way whichever client sent the request. Immutable.
 */
final class EtcdException extends Exception {

  private static final long serialVersionUID = 1L;

  /** gRPC status codes by number (google.golang.org/grpc/codes), as etcd reports them. */
  private static final String[] NAMES = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED"
  };

  static final int FAILED_PRECONDITION = 9;
  static final int OUT_OF_RANGE = 11;
  static final int UNIMPLEMENTED = 12;
  static final int UNAVAILABLE = 14;
  static final int UNAUTHENTICATED = 16;

  private final int code;
  private final boolean noAnswer;
  private final long compactRevision;

  private EtcdException(
      int code, String message, boolean noAnswer, long compactRevision, Throwable cause) {
    super(name(code) + (message.isEmpty() ? "" : ": " + message), cause);
    this.code = code;
    this.noAnswer = noAnswer;
    this.compactRevision = compactRevision;
  }

  /** etcd canceled a watch: its start revision was compacted away (etcd's revision now). */
  static EtcdException compacted(long compactRevision) {
    return new EtcdException(
        OUT_OF_RANGE, // as etcd's ErrCompacted
        "etcdserver: mvcc: required revision has been compacted (compact revision "
            + compactRevision
            + ")",
        false,
        compactRevision,
        null);
  }

  /** The compact revision of a watch canceled by a compaction, 0 for any other failure. */
  long compactRevision() {
    return compactRevision;
  }

  /** etcd answered with an error: {@code code} and {@code message} as it sent them. */
  static EtcdException answered(int code, String message) {
    return new EtcdException(code, message, false, 0, null);
  }

  /** No endpoint could be reached, or an answer broke off: {@code UNAVAILABLE}. */
  static EtcdException unreachable(String message, Throwable cause) {
    return new EtcdException(UNAVAILABLE, message, false, 0, cause);
  }

  /** No endpoint answered within the request timeout. */
  static EtcdException noAnswer(Throwable cause) {
    return new EtcdException(UNAVAILABLE, "no answer", true, 0, cause);
  }

  /** etcd's gRPC status code. */
  int code() {
    return code;
  }

  /**
   * Whether the request got no answer in time (as opposed to an error, or a refused connection).
   */
  boolean isNoAnswer() {
    return noAnswer;
  }

  private static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "CODE_" + code;
  }
}
