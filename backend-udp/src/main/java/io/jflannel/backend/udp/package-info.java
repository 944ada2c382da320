/**
 * The udp backend: pod traffic to another node is read from the TUN device {@code flannel0} by this
 * process and sent, as the payload of a UDP datagram, to that node's public IP on port 8285 (option
 * {@code Port}); datagrams received on that port are written back into the TUN. Upstream calls it a
 * debugging backend; it is the slowest (every packet crosses into user space twice) but needs
 * nothing from the kernel beyond TUN and UDP.
 *
 * <p>Wire and kernel state, as upstream's ({@code pkg/backend/udp}): the UDP payload is the raw IP
 * packet, no extra header, so jflannel and upstream nodes interoperate; the TUN is {@code
 * flannel%d} (normally {@code flannel0}), {@code IFF_TUN | IFF_NO_PI}, with {@code <lease subnet
 * IP>/32}, MTU = interface MTU − 28 and one route for the whole Network through it; the socket is
 * bound to {@code <interface IP>:<Port>}. Per packet: TTL decremented on send and on receive with
 * the header checksum patched incrementally (RFC 1624), dropped at zero; a packet to an address in
 * no peer's subnet gets an ICMP net unreachable back into the TUN (never about an ICMP packet or a
 * non-first fragment). One deliberate difference: upstream sends that ICMP from the TUN's own
 * address, which the kernel then drops as a martian (a local address as source), so it never
 * arrives; ours comes from the unreachable address itself and does arrive, making a pod's {@code
 * connect()} fail at once instead of timing out.
 *
 * <p>Lease attributes: upstream writes {@code PublicIP} and <em>no</em> {@code BackendType} for
 * udp, and its udp network routes to every peer lease without looking at the type. We write the
 * same (type {@code ""}, so etcd's value and the {@code backend-type} annotation are what upstream
 * writes) and accept peers whose type is {@code ""} or {@code "udp"}; leases of other types are
 * skipped with a warning, as the other backends do, because a vxlan node would not understand our
 * datagrams.
 *
 * <p>Beyond upstream:
 *
 * <ul>
 *   <li>Datagrams whose source address is not the public IP of a current peer lease are dropped and
 *       counted ({@link io.jflannel.backend.udp.UdpStats#droppedUnknownSource()}), so nobody can
 *       inject packets into this node's pod network by sending to port 8285. Upstream writes
 *       whatever arrives into the TUN. Hazard: a peer started with {@code --public-ip} set to an
 *       address that is neither its interface address nor its NAT address sends from an address it
 *       does not advertise, and is dropped here (upstream would take its traffic).
 *   <li>The peer table is immutable and swapped whole when leases change; the packet loops read it
 *       without a lock, with one hash probe per prefix length instead of upstream's linear scan.
 *   <li>Datagrams move in batches ({@code recvmmsg}/{@code sendmmsg}, 32 per system call) from
 *       buffers allocated once: the steady state allocates nothing per packet. Upstream's C loop
 *       makes one system call per packet each way.
 *   <li>Level-triggered: every reconcile rebuilds the peer table from the full peer set and
 *       restores the device's address, MTU, up state and route if someone removed them.
 *   <li>Written in Java over a small jnr-ffi libc binding ({@code .sys}), so it runs on every
 *       64-bit (and 32-bit) Linux that Java runs on; upstream's is amd64-only cgo.
 * </ul>
 *
 * <p>Threads: per TUN queue, one thread reads the TUN and sends, another receives and writes the
 * TUN; they sleep in {@code poll(2)} when idle and wake on close through an eventfd.
 */
package io.jflannel.backend.udp;
