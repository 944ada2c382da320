/**
 * What the backends share, so that each backend is only what makes it different.
 *
 * <ul>
 *   <li>{@link io.jflannel.backend.common.Kernel}: the narrow seam between a backend and the kernel
 *       (per-peer objects dumped and written in batches, the devices' few operations), implemented
 *       over rtnetlink by {@link io.jflannel.backend.common.NetlinkKernel} and in memory by the
 *       test-jar's {@code FakeKernel}.
 *   <li>{@link io.jflannel.backend.common.RouteNetwork}: the peer map, the Diff-based reconcile,
 *       the batched apply, per-peer failure handling and the NexthopRoutes pairing; host-gw and
 *       vxlan only say which objects a peer needs and which kernel objects are theirs.
 *   <li>{@link io.jflannel.backend.common.NexthopIds}: flannel's nexthop-id policy.
 *   <li>{@link io.jflannel.backend.common.KernelTypes}: core's IP types to the kernel's and back.
 *   <li>{@link io.jflannel.backend.common.DeviceAddress}, {@link
 *       io.jflannel.backend.common.Warnings}: a device's address and state, warn-once.
 * </ul>
 *
 * <p>Depends on {@code core} and {@code netlink} only; knows no lease store.
 */
package io.jflannel.backend.common;
