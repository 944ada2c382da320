package io.jflannel.daemon.diagnose;

import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseSnapshot;
import io.jflannel.subnet.SubnetEnv;
import io.jflannel.subnet.SubnetFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * This node's own state for {@code flanneld diagnose}: its lease in the store (present, held by
 * this node's public IP, not expiring) and subnet.env (present, readable, what flanneld would write
 * for that lease). Pure logic over what the caller read.
 */
final class NodeChecks {
  private NodeChecks() {}

  /** subnet.env as it is on disk: parsed, or why not. */
  record SubnetEnvFile(Path path, SubnetEnv env, String problem) {
    static SubnetEnvFile read(Path path) {
      try {
        return new SubnetEnvFile(path, SubnetFile.parse(Files.readString(path)), null);
      } catch (NoSuchFileException e) {
        return new SubnetEnvFile(path, null, "missing");
      } catch (IOException | IllegalArgumentException e) {
        return new SubnetEnvFile(path, null, "unreadable: " + e.getMessage());
      }
    }
  }

  private static final String RESTART_FOR_LEASE =
      "start or restart flanneld: it acquires a lease and writes subnet.env (pods keep working only"
          + " if it gets the same subnet; recreate the others)";

  /**
   * This node's lease as the store holds it, checked: one finding, and the lease when there is one.
   *
   * @param renewMargin {@code --subnet-lease-renew-margin}: a running flanneld renews this long
   *     before expiry
   */
  static Optional<Lease> lease(
      LeaseSnapshot snapshot,
      ExternalInterface iface,
      Duration renewMargin,
      Instant now,
      List<Finding> out) {
    if (snapshot.own().isEmpty()) {
      out.add(
          Finding.problem(
              "lease",
              "this node",
              "the store holds no lease for this node (it expired or was deleted, or flanneld"
                  + " never got one)",
              RESTART_FOR_LEASE));
      return Optional.empty();
    }
    Lease own = snapshot.own().get();
    String holder = holder(own);
    String mine =
        Objects.toString(iface.publicIp() != null ? iface.publicIp() : iface.publicIpv6());
    if (!holder.equals(mine)) {
      out.add(
          Finding.problem(
              "lease",
              own.subnets(),
              "held by " + holder + ", not by this node (" + mine + ")",
              "two nodes claim one subnet: stop flanneld here, delete subnet.env and start it"
                  + " again to get a subnet of its own (or fix --public-ip)"));
      return Optional.of(own);
    }
    out.add(expiry(own, renewMargin, now, holder));
    return Optional.of(own);
  }

  private static String holder(Lease l) {
    return Objects.toString(
        l.attrs().publicIp() != null ? l.attrs().publicIp() : l.attrs().publicIpv6());
  }

  private static Finding expiry(Lease own, Duration renewMargin, Instant now, String holder) {
    if (own.expiration() == null) {
      return Finding.ok("lease", own.subnets(), "held by " + holder + " (this node)");
    }
    Duration left = Duration.between(now, own.expiration());
    if (left.isNegative() || left.isZero()) {
      return Finding.problem("lease", own.subnets(), "expired", RESTART_FOR_LEASE);
    }
    // a running flanneld renews at the margin; a few minutes of retries are normal
    if (left.compareTo(renewMargin.minusMinutes(5)) < 0) {
      return Finding.problem(
          "lease",
          own.subnets(),
          "expires in "
              + minutes(left)
              + ", and flanneld renews it "
              + minutes(renewMargin)
              + " before: it is not running, or cannot reach etcd",
          "start flanneld (or see why it cannot renew in its log) before the lease expires and"
              + " another node can take the subnet");
    }
    return Finding.ok(
        "lease", own.subnets(), "held by " + holder + " (this node), expires in " + minutes(left));
  }

  private static String minutes(Duration d) {
    long m = d.toMinutes();
    return m >= 60 ? m / 60 + " h " + m % 60 + " min" : m + " min";
  }

  /**
   * subnet.env against what flanneld writes for {@code own} ({@code want}, null when there is no
   * lease): one finding.
   */
  static Finding subnetEnv(SubnetEnvFile file, SubnetEnv want) {
    String path = file.path().toString();
    if (file.env() == null) {
      return Finding.problem("subnet.env", path, file.problem(), RESTART_FOR_LEASE);
    }
    if (want == null) {
      return Finding.warning(
          "subnet.env", path, "not checked: no lease to compare it with", RESTART_FOR_LEASE);
    }
    List<String> have = SubnetFile.format(file.env()).lines().toList();
    List<String> wanted = SubnetFile.format(want).lines().toList();
    List<String> stale = new ArrayList<>();
    for (String line : have) {
      if (!wanted.contains(line)) {
        String key = line.substring(0, line.indexOf('='));
        String right = wanted.stream().filter(w -> w.startsWith(key + "=")).findFirst().orElse("");
        stale.add(line + (right.isEmpty() ? " (not written)" : " (the lease says " + right + ")"));
      }
    }
    wanted.stream()
        .filter(
            w -> have.stream().noneMatch(h -> h.startsWith(w.substring(0, w.indexOf('=')) + "=")))
        .forEach(
            w -> stale.add("no " + w.substring(0, w.indexOf('=')) + " (the lease says " + w + ")"));
    if (stale.isEmpty()) {
      return Finding.ok("subnet.env", path, "matches the lease: " + String.join(" ", have));
    }
    return Finding.problem(
        "subnet.env",
        path,
        "stale: " + String.join("; ", stale),
        "restart flanneld: it rewrites subnet.env at start; pods set up from the stale file have"
            + " the wrong subnet or MTU: delete them so the CNI plugin sets them up again");
  }

  /** What flanneld would write to subnet.env for {@code own}, or null if the lease cannot say. */
  static SubnetEnv wanted(NetworkConfig config, Lease own, int mtu, boolean ipMasq) {
    try {
      return SubnetEnv.of(config, own, mtu, ipMasq);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
