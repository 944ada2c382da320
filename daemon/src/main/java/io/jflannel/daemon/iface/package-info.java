/**
 * Choosing the external interface ({@link io.jflannel.daemon.iface.InterfaceSelector}) from {@code
 * --iface}, {@code --iface-regex}, {@code --iface-can-reach}, {@code --public-ip} or the default
 * route, through our netlink binding only (no {@code ip} command, no {@code java.net} interface
 * enumeration: both would see a different namespace than a netlink handle opened elsewhere).
 *
 * <p>Upstream's order of precedence is kept as is, including that a failed default-route lookup is
 * final while an explicit candidate that fails only moves on to the next one.
 */
package io.jflannel.daemon.iface;
