package io.jflannel.daemon.health;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetManager;
import java.util.List;
import java.util.function.Consumer;

/** A subnet manager of which a test uses only what it overrides; the rest throws. */
abstract class UnusedManager implements SubnetManager {
  @Override
  public String name() {
    return "test";
  }

  @Override
  public NetworkConfig networkConfig() {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public NodeRecord nodeRecord() {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public Lease acquireLease(LeaseAttrs attrs) {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public void completeLease(Lease lease, Consumer<Lease> onLost) {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public LeaseWatch watchLeases(LeaseListener listener) {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public List<Lease> currentLeases() {
    throw new UnsupportedOperationException("not used by this test");
  }

  @Override
  public void close() {}
}
