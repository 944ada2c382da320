package io.jflannel.daemon.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One answer of a health probe: whether it passes, a one-word status, and why, as short sentences
 * (the failing checks when it fails, the passing ones when it passes).
 *
 * @param ok whether the probe passes (HTTP 200; else 503)
 * @param status {@code "ready"}/{@code "not ready"} or {@code "ok"}/{@code "failing"}
 * @param reasons why, e.g. {@code "lease store unreachable for 42 s (limit 30 s): ..."}
 */
public record Verdict(boolean ok, String status, List<String> reasons) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Verdict {
    reasons = List.copyOf(reasons);
  }

  /** The HTTP status of this answer: 200 or 503. */
  public int httpStatus() {
    return ok ? 200 : 503;
  }

  /** {@code {"status":"not ready","reasons":["..."]}}, one line. */
  public String json() {
    ObjectNode o = JSON.createObjectNode();
    o.put("status", status);
    reasons.forEach(o.putArray("reasons")::add);
    return o.toString();
  }

  /** {@code not ready: a; b}, for logs and systemd's STATUS. */
  public String summary() {
    return reasons.isEmpty() ? status : status + ": " + String.join("; ", reasons);
  }
}
