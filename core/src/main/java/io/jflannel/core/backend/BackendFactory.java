package io.jflannel.core.backend;

import io.jflannel.core.config.NetworkConfig;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Creates the backend named by net-conf.json's {@code Backend.Type}; each backend module provides
 * one, found with {@link ServiceLoader} through {@code
 * META-INF/services/io.jflannel.core.backend.BackendFactory}, so adding a backend needs no change
 * to the daemon.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to construct: the
 * loader instantiates every factory to ask its {@link #type}. They are stateless and thread-safe.
 */
public interface BackendFactory {

  /** Returns the backend type this factory creates, lower-case, e.g. {@code "vxlan"}. */
  String type();

  /**
   * Creates the backend from its options ({@link NetworkConfig#backend()}) for this node's
   * interface. Touches no kernel state yet; that happens in {@link Backend#prepare}.
   *
   * @throws BackendException if the options are invalid or the interface does not suit the backend
   *     (host-gw behind NAT); the message names the option and the fix
   */
  Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException;

  /**
   * Finds the factory for a backend type on the class path, matching the type case-insensitively,
   * as upstream does.
   *
   * @return the factory, or empty if no module on the class path provides that type
   */
  static Optional<BackendFactory> find(String type) {
    String wanted = type.toLowerCase(Locale.ROOT);
    for (BackendFactory factory : ServiceLoader.load(BackendFactory.class)) {
      if (factory.type().toLowerCase(Locale.ROOT).equals(wanted)) {
        return Optional.of(factory);
      }
    }
    return Optional.empty();
  }
}
