/**
 * The udp backend's own libc binding (jnr-ffi): UDP sockets, {@code recvmmsg}/{@code sendmmsg},
 * {@code poll}, {@code eventfd} and raw {@code read}/{@code write} on native addresses, for a
 * packet loop that neither throws nor allocates per packet. Internal: public only so the backend's
 * main package can reach it; the netlink module's binding covers everything else (TUN, rtnetlink).
 */
package io.jflannel.backend.udp.sys;
