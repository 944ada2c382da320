/**
 * Subnet managers and the files around them. This package holds {@link
 * io.jflannel.subnet.SubnetFile}, which writes and reads subnet.env byte-compatibly with upstream
 * flannel so that the flannel CNI plugin and {@code mk-docker-opts.sh} read ours unchanged.
 *
 * <p>Upstream writes subnet.env with {@code renameio} (temp file, fsync, rename); we also fsync the
 * directory, so the rename itself survives a power loss.
 */
package io.jflannel.subnet;
