package io.jflannel.subnet.http;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketOption;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keepalive with set timings, for connections that may stay quiet for minutes (watches): the
 * kernel ends one whose peer vanished after {@code idle + count * interval} seconds, instead of the
 * system's default (two hours idle). Stateless.
 */
public final class TcpKeepalive {

  private TcpKeepalive() {}

  /**
   * Turns keepalive on for {@code s}, with the timings where the platform lets us set them.
   *
   * @param idle seconds of quiet before the first probe
   * @param interval seconds between probes
   * @param count probes unanswered before the connection ends
   */
  public static void on(Socket s, int idle, int interval, int count) throws IOException {
    s.setKeepAlive(true);
    set(s, ExtendedSocketOptions.TCP_KEEPIDLE, idle);
    set(s, ExtendedSocketOptions.TCP_KEEPINTERVAL, interval);
    set(s, ExtendedSocketOptions.TCP_KEEPCOUNT, count);
  }

  private static void set(Socket s, SocketOption<Integer> option, int value) throws IOException {
    if (s.supportedOptions().contains(option)) {
      s.setOption(option, value);
    }
  }
}
