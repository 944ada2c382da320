package io.jflannel.daemon.diagnose;

import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.PlannedChange;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend's plan ({@link io.jflannel.core.backend.Network#plan}) as findings: one problem per
 * entry a reconcile would write, named as iproute2 prints it; one OK line when there is none.
 */
final class PeerFindings {
  private PeerFindings() {}

  static final String REPAIR =
      "flanneld rewrites it within --resync-period (30 s by default) while it runs: start"
          + " flanneld, or see its log for the write the kernel refused";
  static final String REMOVE =
      "flanneld removes entries of nodes that left within --resync-period while it runs: start"
          + " flanneld, or delete the entry";

  static List<Finding> of(List<PlannedChange> plan, int peers, String backend) {
    List<Finding> out = new ArrayList<>();
    for (PlannedChange c : plan) {
      String subject = c.peer() == null ? "no peer" : "peer " + c.peer();
      switch (c.op()) {
        case ADD -> out.add(Finding.problem(c.kind(), subject, "missing: " + c.object(), REPAIR));
        case FIX ->
            out.add(
                Finding.problem(
                    c.kind(),
                    subject,
                    "wrong: " + c.actual() + "; the lease wants " + c.object(),
                    REPAIR));
        case REMOVE ->
            out.add(
                Finding.problem(
                    c.kind(), subject, "not wanted by any lease: " + c.object(), REMOVE));
        default -> throw new IllegalStateException("unknown op " + c.op());
      }
    }
    if (plan.isEmpty()) {
      out.add(
          Finding.ok(
              "peers",
              peers + " peer(s)",
              backend
                  + ": every route"
                  + (backend.equals("vxlan") ? ", ARP and FDB entry" : "")
                  + " as the leases say, nothing stale"));
    }
    return out;
  }
}
