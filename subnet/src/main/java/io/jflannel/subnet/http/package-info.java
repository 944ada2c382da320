/**
 * HTTP/1.1 on plain blocking sockets, shared by both subnet managers: reading an answer ({@link
 * io.jflannel.subnet.http.Http1Answer}), idle connections kept for the next request, TCP keepalive
 * for quiet watches; and fabric8's HTTP client SPI on them ({@link
 * io.jflannel.subnet.http.SocketHttpClients}), the transport under the Kubernetes manager.
 */
package io.jflannel.subnet.http;
