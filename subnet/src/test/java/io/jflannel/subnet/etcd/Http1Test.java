package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.subnet.http.Http1Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The unary HTTP/1.1 client against a server socket that answers as a test says. */
class Http1Test {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Answers each request on an accepted connection with {@code answer}, counting connections. */
  private static Thread serve(ServerSocket server, AtomicInteger accepted, String answer, int max) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket s = server.accept();
                  accepted.incrementAndGet();
                  InputStream in = s.getInputStream();
                  for (int i = 0; i < max; i++) {
                    int length = 0;
                    for (String h = Http1Answer.line(in); !h.isEmpty(); h = Http1Answer.line(in)) {
                      if (h.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                      }
                    }
                    in.readNBytes(length);
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                  }
                  s.close();
                }
              } catch (IOException e) {
                // server closed
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aKeptConnectionServesTheNextRequest() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Http1 http = new Http1(null)) {
      AtomicInteger accepted = new AtomicInteger();
      serve(server, accepted, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 2);
      URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());

      assertThat(http.post(endpoint, "/v3/kv/range", null, "{}", TIMEOUT, Http1Test::read))
          .isEqualTo("{}");
      assertThat(http.post(endpoint, "/v3/kv/range", "t", "{}", TIMEOUT, Http1Test::read))
          .isEqualTo("{}");
      assertThat(accepted).hasValue(1);
    }
  }

  @Test
  void aConnectionTheServerClosedIsNotReused() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Http1 http = new Http1(null)) {
      AtomicInteger accepted = new AtomicInteger();
      serve(
          server,
          accepted,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
          1);
      URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());

      assertThat(http.post(endpoint, "/v3/kv/range", null, "{}", TIMEOUT, Http1Test::read))
          .isEqualTo("ok");
      Thread.sleep(100); // the server has closed its end
      assertThat(http.post(endpoint, "/v3/kv/range", null, "{}", TIMEOUT, Http1Test::read))
          .isEqualTo("ok");
      assertThat(accepted).hasValue(2);
    }
  }

  @Test
  void anAnswerThatBreaksOffAfterTheRequestWasSentIsBroken() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Http1 http = new Http1(null)) {
      AtomicInteger accepted = new AtomicInteger();
      serve(server, accepted, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cut", 1);
      URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());

      assertThatThrownBy(
              () -> http.post(endpoint, "/v3/kv/txn", null, "{}", TIMEOUT, Http1Test::read))
          .isInstanceOf(Http1.Broken.class)
          .hasMessage("the connection closed in the middle of the answer");
    }
  }

  @Test
  void anAnswerOtherThan200CarriesItsBody() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Http1 http = new Http1(null)) {
      serve(
          server,
          new AtomicInteger(),
          "HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n",
          1);
      URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());

      assertThatThrownBy(
              () -> http.post(endpoint, "/v3/kv/range", null, "{}", TIMEOUT, Http1Test::read))
          .isInstanceOfSatisfying(
              Http1.Refused.class,
              e -> {
                assertThat(e.status).isEqualTo(404);
                assertThat(e.body).isEqualTo("404 page not found\n");
              });
    }
  }
}
