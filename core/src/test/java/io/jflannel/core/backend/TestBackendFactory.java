package io.jflannel.core.backend;

import io.jflannel.core.config.NetworkConfig;

/** A factory registered only on the test class path, for {@link BackendFactoryTest}. */
public class TestBackendFactory implements BackendFactory {

  @Override
  public String type() {
    return "test-backend";
  }

  @Override
  public Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException {
    throw new BackendException("the test backend factory only answers its type");
  }
}
