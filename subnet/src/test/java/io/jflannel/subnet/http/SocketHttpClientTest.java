package io.jflannel.subnet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketHttpClient} through fabric8's own request path ({@code sendAsync}, WebSocket
 * builder), against a scripted server on loopback that checks what arrives on the wire.
 */
class SocketHttpClientTest {

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private ServerSocket server;
  private HttpClient client;

  /** What the server does with one connection, after its requests' heads have been read. */
  interface Script {
    void run(Socket s, InputStream in, OutputStream out) throws Exception;
  }

  private URI serve(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  connections.incrementAndGet();
                  Thread c =
                      new Thread(
                          () -> {
                            try (s) {
                              script.run(s, s.getInputStream(), s.getOutputStream());
                            } catch (Exception e) {
                              // the client went away
                            }
                          });
                  c.setDaemon(true);
                  c.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    client = new SocketHttpClients(JdkHttpClientFactory::new).newBuilder().build();
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  @AfterEach
  void tearDown() throws IOException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Reads one request's head (and a body of its Content-Length), recording its lines. */
  private String request(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int length = 0;
    for (String line = Http1Answer.line(in); !line.isEmpty(); line = Http1Answer.line(in)) {
      head.append(line).append('\n');
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    String all = head + (body.isEmpty() ? "" : "\n" + body);
    requests.add(all);
    return all;
  }

  private static void answer(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Test
  void aChunkedAnswerIsReadWholeAndTwoRequestsShareOneConnection() throws Exception {
    URI base =
        serve(
            (s, in, out) -> {
              for (int i = 0; i < 2; i++) {
                request(in);
                answer(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding:"
                        + " chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n"
                        + i
                        + "}\n\r\n0\r\n\r\n");
              }
            });

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r =
          client
              .sendAsync(
                  client.newHttpRequestBuilder().uri(base + "/api/v1/nodes?limit=500").build(),
                  String.class)
              .get(10, TimeUnit.SECONDS);
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("content-type")).isEqualTo("application/json");
      assertThat(r.body()).isEqualTo("{\"a\":" + i + "}\n");
    }
    assertThat(connections.get()).isEqualTo(1);
    assertThat(requests.get(0))
        .startsWith(
            "GET /api/v1/nodes?limit=500 HTTP/1.1\nHost: 127.0.0.1:" + server.getLocalPort());
  }

  @Test
  void aPatchSendsItsBodyWithTypeAndLengthAndAnErrorAnswerKeepsItsCodeAndBody() throws Exception {
    URI base =
        serve(
            (s, in, out) -> {
              request(in);
              answer(
                  out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 16\r\n\r\n{\"kind\":\"Status\"");
            });

    HttpResponse<String> r =
        client
            .sendAsync(
                client
                    .newHttpRequestBuilder()
                    .uri(base + "/api/v1/nodes/n1")
                    .header("Authorization", "Bearer abc")
                    .patch("application/merge-patch+json", "{\"x\":1}")
                    .build(),
                String.class)
            .get(10, TimeUnit.SECONDS);

    assertThat(r.code()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("{\"kind\":\"Status\"");
    assertThat(requests.get(0))
        .startsWith("PATCH /api/v1/nodes/n1 HTTP/1.1\n")
        .contains("Authorization: Bearer abc\n")
        .contains("Content-Type: application/merge-patch+json\n")
        .contains("Content-Length: 7\n")
        .endsWith("\n\n{\"x\":1}");
  }

  @Test
  void anAnswerThatEndsWithTheConnectionIsReadToItsEnd() throws Exception {
    URI base =
        serve(
            (s, in, out) -> {
              request(in);
              answer(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
              byte[] big = new byte[200_000];
              java.util.Arrays.fill(big, (byte) 'x');
              out.write(big);
              out.flush();
            });

    HttpResponse<byte[]> r =
        client
            .sendAsync(client.newHttpRequestBuilder().uri(base + "/x").build(), byte[].class)
            .get(10, TimeUnit.SECONDS);
    assertThat(r.body()).hasSize(200_000);
  }

  @Test
  void anUnreachableServerFailsTheRequest() throws Exception {
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/x");
      closed.close();
      HttpClient once =
          new SocketHttpClients(JdkHttpClientFactory::new)
              .newBuilder()
              .connectTimeout(2, TimeUnit.SECONDS)
              .tag(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
              .build();
      try {
        assertThatThrownBy(
                () ->
                    once.sendAsync(once.newHttpRequestBuilder().uri(uri).build(), String.class)
                        .get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasRootCauseInstanceOf(java.net.ConnectException.class);
      } finally {
        once.close();
      }
    }
  }

  /** A server frame: final, unmasked. */
  private static void frame(OutputStream out, int opcode, boolean fin, byte[] payload)
      throws IOException {
    out.write((fin ? 0x80 : 0) | opcode);
    out.write(payload.length); // < 126 in these tests
    out.write(payload);
    out.flush();
  }

  /** Reads a client frame, checking that it is masked; returns opcode then payload. */
  private static Object[] clientFrame(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int b0 = d.readUnsignedByte();
    int b1 = d.readUnsignedByte();
    assertThat(b1 & 0x80).as("client frames are masked").isEqualTo(0x80);
    byte[] mask = d.readNBytes(4);
    byte[] payload = d.readNBytes(b1 & 0x7f);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    return new Object[] {b0 & 0x0f, payload};
  }

  @Test
  void aWebSocketDeliversMessagesAsAskedAnswersPingsAndCloses() throws Exception {
    BlockingQueue<Object[]> fromClient = new LinkedBlockingQueue<>();
    URI base =
        serve(
            (s, in, out) -> {
              String head = request(in);
              String key = head.replaceAll("(?s).*Sec-WebSocket-Key: (\\S+).*", "$1");
              answer(
                  out,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection:"
                      + " Upgrade\r\nSec-WebSocket-Accept: "
                      + SocketWebSocket.accept(key)
                      + "\r\n\r\n");
              frame(out, 0x1, false, "{\"type\":".getBytes(StandardCharsets.UTF_8));
              frame(out, 0x9, true, "p1".getBytes(StandardCharsets.UTF_8)); // between fragments
              frame(out, 0x0, true, "\"ADDED\"}".getBytes(StandardCharsets.UTF_8));
              fromClient.add(clientFrame(in)); // the pong
              frame(out, 0x2, true, "second".getBytes(StandardCharsets.UTF_8));
              fromClient.add(clientFrame(in)); // the client's close
              frame(out, 0x8, true, new byte[] {0x03, (byte) 0xe8, 'b', 'y', 'e'});
              Thread.sleep(200);
            });
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public void onOpen(WebSocket ws) {
            events.add("open");
          }

          @Override
          public void onMessage(WebSocket ws, String text) {
            events.add("text " + text);
          }

          @Override
          public void onMessage(WebSocket ws, ByteBuffer bytes) {
            events.add("binary " + StandardCharsets.UTF_8.decode(bytes));
          }

          @Override
          public void onClose(WebSocket ws, int code, String reason) {
            events.add("close " + code + " " + reason);
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            events.add("error " + error);
          }
        };

    WebSocket ws =
        client
            .newWebSocketBuilder()
            .uri(URI.create(base + "/api/v1/nodes?watch=true"))
            .buildAsync(listener)
            .get(10, TimeUnit.SECONDS);

    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("open");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("text {\"type\":\"ADDED\"}");
    Object[] pong = fromClient.poll(10, TimeUnit.SECONDS);
    assertThat(pong[0]).isEqualTo(0xA);
    assertThat(new String((byte[]) pong[1], StandardCharsets.UTF_8)).isEqualTo("p1");
    assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("not asked for yet").isNull();
    ws.request();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("binary second");
    assertThat(ws.sendClose(1000, "done")).isTrue();
    Object[] close = fromClient.poll(10, TimeUnit.SECONDS);
    assertThat(close[0]).isEqualTo(0x8);
    assertThat((byte[]) close[1]).startsWith(0x03, (byte) 0xe8).endsWith('d', 'o', 'n', 'e');
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("close 1000 bye");
    assertThat(requests.get(0))
        .startsWith("GET /api/v1/nodes?watch=true HTTP/1.1\n")
        .contains("Upgrade: websocket\n", "Sec-WebSocket-Version: 13\n");
  }

  @Test
  void aRefusedUpgradeFailsWithTheServersStatus() throws Exception {
    URI base =
        serve(
            (s, in, out) -> {
              request(in);
              answer(out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}");
            });

    assertThatThrownBy(
            () ->
                client
                    .newWebSocketBuilder()
                    .uri(URI.create(base + "/api/v1/nodes?watch=true"))
                    .buildAsync(new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().code()).isEqualTo(403));
  }

  @Test
  void aClientWithAProxyIsBuiltByTheProxiedFactory() {
    HttpClient proxied =
        new SocketHttpClients(JdkHttpClientFactory::new)
            .newBuilder()
            .proxyAddress(new InetSocketAddress("127.0.0.1", 3128))
            .build();
    try {
      assertThat(proxied).isNotInstanceOf(SocketHttpClient.class);
      assertThat(proxied.getClass().getName()).contains("jdkhttp");
    } finally {
      proxied.close();
    }
    HttpClient direct = new SocketHttpClients(JdkHttpClientFactory::new).newBuilder().build();
    try {
      assertThat(direct).isInstanceOf(SocketHttpClient.class);
      assertThat(direct.newBuilder().build()).isInstanceOf(SocketHttpClient.class);
    } finally {
      direct.close();
    }
  }
}
