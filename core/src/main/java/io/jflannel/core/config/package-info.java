/**
 * The cluster network configuration (net-conf.json, or etcd's {@code <prefix>/config}): {@link
 * io.jflannel.core.config.NetworkConfig#parse} reads it the way Go's {@code encoding/json} reads
 * upstream's {@code subnet.Config}, applies upstream's defaults and validation, and reports every
 * problem as a one-line {@link io.jflannel.core.config.ConfigException} naming the key and the fix.
 *
 * <p>History worth knowing: a config without {@code Backend} selects {@code udp} upstream (its
 * documentation says vxlan); we keep that for compatibility and log a warning. Upstream validates
 * only in etcd mode; we validate in both, so a config that would fail on an etcd cluster fails the
 * same way on a kube cluster.
 */
package io.jflannel.core.config;
