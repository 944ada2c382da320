package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.subnet.http.Http1Answer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/** The watch stream's HTTP/1.1, against a server socket that answers as etcd's gateway does. */
class EtcdWatchStreamTest {

  private static final class Recorder implements EtcdWatchStream.Listener {
    final List<JsonNode> responses = new CopyOnWriteArrayList<>();
    final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    @Override
    public void onResponse(JsonNode result) {
      responses.add(result);
    }

    @Override
    public void onFailure(Throwable error) {
      failures.add(error);
    }
  }

  @Test
  void chunkedBodiesAreDecodedAcrossChunkBoundariesAndExtensions() throws Exception {
    String wire = "4\r\nab\nc\r\n3;ext=1\r\nd\ne\r\n0\r\n\r\n";
    InputStream chunked =
        new Http1Answer.Chunked(
            new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(new String(chunked.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ab\ncd\ne");
  }

  @Test
  void theWatchSocketHasTcpKeepaliveWithTheStreamsTimings() throws Exception {
    try (Socket s = new Socket()) {
      Http1.keepAlive(s);
      assertThat(s.getKeepAlive()).isTrue();
      assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(30);
      assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(5);
      assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(3);
    }
  }

  @Test
  void eachLineIsOneResponseAndTheEndOfTheStreamIsReportedOnce() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Recorder recorder = new Recorder();
      EtcdWatchStream stream =
          EtcdWatchStream.open(
              URI.create("http://127.0.0.1:" + server.getLocalPort()),
              null,
              "tok3n",
              "{\"create_request\":{}}",
              Duration.ofSeconds(5),
              recorder);
      String head;
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        StringBuilder request = new StringBuilder();
        for (String line = Http1Answer.line(in); !line.isEmpty(); line = Http1Answer.line(in)) {
          request.append(line).append('\n');
        }
        head = request.toString();
        String created = "{\"result\":{\"header\":{\"revision\":\"3\"},\"created\":true}}\n";
        String event =
            "{\"result\":{\"header\":{\"revision\":\"4\"},\"events\":[{\"kv\":{\"key\":\"YQ==\","
                + "\"mod_revision\":\"4\"}}]}}\n";
        String both = created + event;
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(10)
                    + "\r\n"
                    + both.substring(0, 10)
                    + "\r\n"
                    + Integer.toHexString(both.length() - 10)
                    + "\r\n"
                    + both.substring(10)
                    + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      Throwable end = recorder.failures.poll(5, TimeUnit.SECONDS);

      assertThat(head)
          .startsWith("POST /v3/watch HTTP/1.1\n")
          .contains("Grpc-Metadata-hasleader: true\n")
          .contains("Authorization: tok3n\n");
      assertThat(recorder.responses).hasSize(2);
      assertThat(recorder.responses.get(0).path("created").asBoolean()).isTrue();
      assertThat(EtcdJson.events(recorder.responses.get(1))).hasSize(1);
      assertThat(end).hasMessage("UNAVAILABLE: the watch stream was ended by etcd");
      stream.close();
      assertThat(recorder.failures.poll(200, TimeUnit.MILLISECONDS)).as("reported once").isNull();
    }
  }

  @Test
  void anErrorAnswerIsReadAsEtcdsError() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Recorder recorder = new Recorder();
      EtcdWatchStream.open(
          URI.create("http://127.0.0.1:" + server.getLocalPort()),
          null,
          null,
          "{}",
          Duration.ofSeconds(5),
          recorder);
      try (Socket s = server.accept()) {
        while (!Http1Answer.line(s.getInputStream()).isEmpty()) {
          // the request's head
        }
        String body =
            "{\"error\":\"etcdserver: invalid auth token\",\"code\":16,\"message\":"
                + "\"etcdserver: invalid auth token\"}";
        s.getOutputStream()
            .write(
                ("HTTP/1.1 401 Unauthorized\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body)
                    .getBytes(StandardCharsets.UTF_8));
      }
      assertThat(recorder.failures.poll(5, TimeUnit.SECONDS))
          .hasMessage("UNAUTHENTICATED: etcdserver: invalid auth token");
      assertThat(recorder.responses).isEmpty();
    }
  }
}
