/**
 * The {@code flanneld} daemon: flags ({@link io.jflannel.daemon.FlannelOptions}), the entry point
 * ({@link io.jflannel.daemon.Main}), the health checks ({@code .health}) and the start-up sequence
 * that ties the modules together. Interface selection lives in {@code .iface}, the iptables rules
 * in {@code .traffic}.
 *
 * <p>Flags match upstream's names, defaults and {@code FLANNELD_*} environment forms; Go's single-
 * dash syntax is accepted. Only {@link io.jflannel.daemon.Main} decides exit codes.
 */
package io.jflannel.daemon;
