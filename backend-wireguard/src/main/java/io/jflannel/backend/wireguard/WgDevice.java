package io.jflannel.backend.wireguard;

/**
 * The seam between the wireguard backend and whatever programs the device: the kernel's {@code
 * wireguard} generic-netlink family ({@link GenlWgDevice}) or wireguard-go's UAPI socket ({@link
 * UapiWgDevice}); the test-jar's fake keeps a device in memory. The backend's per-peer logic is
 * written against this interface alone, so it is the same, and tested the same, on both paths.
 *
 * <p>Calls are serialized by the caller (the network's lock).
 */
public interface WgDevice extends AutoCloseable {

  /** The device's name, e.g. {@code flannel-wg}. */
  String name();

  /** How it is programmed, for the start-up log: {@code kernel} or {@code wireguard-go}. */
  String kind();

  /**
   * Makes the device exist: creates the kernel link, or starts wireguard-go (or adopts one already
   * serving the device's UAPI socket).
   *
   * @return true if it had to be created (or wireguard-go started)
   */
  boolean ensure() throws WgException;

  /**
   * Whether the device is still there (kernel: always true; wireguard-go: the process, or the
   * socket of one we adopted, is alive). Cheap enough to poll every second.
   */
  boolean alive();

  /** Reads the device's settings and peers. */
  WgState read() throws WgException;

  /** Applies {@code update}; nothing when it is empty. */
  void write(WgUpdate update) throws WgException;

  /** Stops what this instance started (a wireguard-go it launched), keeps the rest. Idempotent. */
  @Override
  void close();
}
