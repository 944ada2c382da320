package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paged, streamed node list, against {@link FakeNodeApi}, and the page reader on its own. */
class NodeListerTest {

  private FakeNodeApi api;
  private KubernetesClient client;

  @BeforeEach
  void setUp() throws IOException {
    api = new FakeNodeApi();
    client = api.client();
    for (int i = 1; i <= 5; i++) {
      api.put(
          peer("n" + i, "10.244." + i + ".0/24", "192.168.0." + i, "aa:bb:cc:dd:ee:0" + i)
              .ready()
              .build());
    }
  }

  @AfterEach
  void tearDown() {
    client.close();
    api.close();
  }

  @Test
  void followsContinueTokensPageByPageAndReturnsTheListVersion() throws Exception {
    String version = api.version();
    List<Node> seen = new ArrayList<>();
    String listed = new NodeLister(client, 2).list(seen::add);

    assertThat(listed).isEqualTo(version);
    assertThat(seen)
        .extracting(n -> n.getMetadata().getName())
        .containsExactly("n1", "n2", "n3", "n4", "n5");
    // three pages; the opaque tokens (base64 with + / =) went back URL-encoded and intact
    assertThat(api.lists).hasSize(3);
    assertThat(api.lists.get(0)).isEqualTo("limit=2");
    assertThat(api.lists.get(1)).startsWith("limit=2&continue=").doesNotContain("resourceVersion");
    assertThat(api.lists.get(2)).startsWith("limit=2&continue=");
  }

  @Test
  void aListFromTheWatchCacheAsksForVersionZeroAndPagesWithoutItWhenTheServerPages()
      throws Exception {
    List<Node> seen = new ArrayList<>();
    assertThat(new NodeLister(client, 2).list(seen::add, true)).isEqualTo(api.version());
    assertThat(seen).hasSize(5);
    assertThat(api.lists).containsExactly("limit=2&resourceVersion=0"); // answered whole

    api.watchCache = false; // as --watch-cache=false: the server pages even resourceVersion=0
    api.lists.clear();
    seen.clear();
    new NodeLister(client, 2).list(seen::add, true);
    assertThat(seen)
        .extracting(n -> n.getMetadata().getName())
        .containsExactly("n1", "n2", "n3", "n4", "n5");
    assertThat(api.lists).hasSize(3);
    assertThat(api.lists.get(0)).isEqualTo("limit=2&resourceVersion=0");
    assertThat(api.lists.subList(1, 3))
        .allMatch(q -> q.startsWith("limit=2&continue=") && !q.contains("resourceVersion"));
  }

  @Test
  void keepsOnlyWhatALeaseNeedsOfEachNode() throws Exception {
    List<Node> seen = new ArrayList<>();
    new NodeLister(client, 500).list(seen::add);

    Node n3 = seen.get(2);
    assertThat(n3.getMetadata().getName()).isEqualTo("n3");
    assertThat(n3.getMetadata().getResourceVersion()).isNotEmpty();
    assertThat(n3.getMetadata().getAnnotations())
        .containsEntry(P + "public-ip", "192.168.0.3")
        .containsEntry(P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:03\"}");
    assertThat(n3.getMetadata().getLabels()).isEmpty();
    assertThat(n3.getSpec().getPodCIDR()).isEqualTo("10.244.3.0/24");
    assertThat(n3.getSpec().getPodCIDRs()).containsExactly("10.244.3.0/24");
    assertThat(n3.getStatus()).isNull();
    assertThat(api.lists).containsExactly("limit=500");
  }

  @Test
  void asksForProtobufFirstAndReadsTheAnswerInTheFormatTheServerChose() throws Exception {
    api.canned =
        new FakeNodeApi.Canned(
            200,
            NodeProtoReaderTest.Proto.nodeList("77", "p1", "p2"),
            "application/vnd.kubernetes.protobuf");
    List<Node> seen = new ArrayList<>();
    assertThat(new NodeLister(client, 500).list(seen::add, true)).isEqualTo("77");
    assertThat(seen).extracting(n -> n.getMetadata().getName()).containsExactly("p1", "p2");
    assertThat(seen.get(1).getSpec().getPodCIDR()).isEqualTo("10.244.1.0/24");

    api.canned = null; // the fake's own JSON, as a server without protobuf answers
    seen.clear();
    new NodeLister(client, 500).list(seen::add, true);
    assertThat(seen).hasSize(5);
    assertThat(api.listAccepts)
        .hasSize(2)
        .allMatch(a -> a.equals("application/vnd.kubernetes.protobuf, application/json"));
  }

  @Test
  void anErrorAnsweredInProtobufSaysItsMessage() throws Exception {
    byte[] forbidden;
    try (InputStream in = NodeProtoReaderTest.resource("nodes-403.pb")) {
      forbidden = in.readAllBytes();
    }
    api.canned = new FakeNodeApi.Canned(403, forbidden, "application/vnd.kubernetes.protobuf");
    assertThatThrownBy(() -> new NodeLister(client, 500).list(n -> {}))
        .isInstanceOf(NodeLister.HttpError.class)
        .hasMessageEndingWith(
            ": HTTP 403: nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API"
                + " group \"\" at the cluster scope");
  }

  @Test
  void anExpiredContinueTokenIsGone() {
    api.expireNextContinue = true;
    assertThatThrownBy(() -> new NodeLister(client, 2).list(n -> {}))
        .isInstanceOf(NodeLister.Gone.class)
        .hasMessageContaining("410")
        .hasMessageContaining("too old");
  }

  @Test
  void readsAPageWhateverTheOrderOfItsFields() throws Exception {
    String page =
        "{\"items\":[{\"spec\":{\"podCIDRs\":[\"10.244.9.0/24\",\"fd00::/64\"],\"taints\":[{}]},"
            + "\"status\":{\"images\":[{\"names\":[\"a\",\"b\"],\"sizeBytes\":1}]},"
            + "\"metadata\":{\"managedFields\":[{\"fieldsV1\":{\"f:x\":{}}}],\"name\":\"n9\","
            + "\"annotations\":{\"a\":\"1\",\"b\":null}}}],"
            + "\"kind\":\"NodeList\",\"metadata\":{\"continue\":\"c2\",\"resourceVersion\":\"77\"}}";
    List<Node> seen = new ArrayList<>();
    NodeListReader.Page read = NodeListReader.read(stream(page), seen::add);

    assertThat(read).isEqualTo(new NodeListReader.Page("77", "c2", 1));
    assertThat(seen)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.getMetadata().getName()).isEqualTo("n9");
              assertThat(n.getMetadata().getAnnotations()).containsEntry("a", "1").containsKey("b");
              assertThat(n.getSpec().getPodCIDRs()).containsExactly("10.244.9.0/24", "fd00::/64");
            });
  }

  @Test
  void aTruncatedOrMalformedPageFailsInsteadOfLookingShort() {
    String truncated =
        "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[{\"metadata\":"
            + "{\"name\":\"n1\"}},{\"metadata\":{\"na";
    assertThatThrownBy(() -> NodeListReader.read(stream(truncated), n -> {}))
        .isInstanceOf(IOException.class);
    String notNodes = "{\"kind\":\"NodeList\",\"metadata\":{},\"items\":[{},\"x\",{}]}";
    assertThatThrownBy(() -> NodeListReader.read(stream(notNodes), n -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("items");
    String status = "{\"kind\":\"Status\",\"code\":500}";
    assertThatThrownBy(() -> NodeListReader.read(stream(status), n -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Status");
  }

  @Test
  void aServerThatNeverAnswersFailsThePageAfterTheRequestTimeout() throws Exception {
    try (Stalling server = new Stalling(null);
        KubernetesClient slow = server.client(300)) {
      assertThatThrownBy(
              () ->
                  assertTimeoutPreemptively(
                      Duration.ofSeconds(20), () -> new NodeLister(slow, 10).list(n -> {})))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("GET http://127.0.0.1:" + server.port() + "/api/v1/nodes?limit=10");
    }
  }

  @Test
  void aBodyThatStopsHalfwayFailsThePageInsteadOfHangingTheList() throws Exception {
    String head =
        "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[{\"metadata\":"
            + "{\"name\":\"n1\"}},";
    try (Stalling server = new Stalling(head);
        KubernetesClient slow = server.client(300)) {
      List<Node> seen = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  assertTimeoutPreemptively(
                      Duration.ofSeconds(20), () -> new NodeLister(slow, 10).list(seen::add)))
          .isInstanceOf(NodeLister.Stalled.class)
          .hasMessageContaining("no data from the API server for 300 ms");
      assertThat(seen).extracting(n -> n.getMetadata().getName()).containsExactly("n1");
    }
  }

  @Test
  void aSlowButSteadyBodyIsNotCutOff() throws Exception {
    // every chunk comes within the timeout; the whole page takes several timeouts
    String page =
        "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"9\"},\"items\":[{\"metadata\":"
            + "{\"name\":\"n1\"}}]}";
    try (Stalling server = new Stalling(page, 100);
        KubernetesClient slow = server.client(400)) {
      List<Node> seen = new ArrayList<>();
      assertThat(new NodeLister(slow, 10).list(seen::add)).isEqualTo("9");
      assertThat(seen).extracting(n -> n.getMetadata().getName()).containsExactly("n1");
    }
  }

  /**
   * A raw HTTP server for one kind of misbehaviour at a time: with no body, it reads the request
   * and never answers; with a body, it answers 200 with chunked encoding and sends the body in
   * 8-byte chunks, each {@code gapMillis} apart, then keeps the connection open without ending the
   * response (unless the body is a complete page, when it ends it properly).
   */
  private static final class Stalling implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Stalling(String body) throws IOException {
      this(body, 0);
    }

    Stalling(String body, long gapMillis) throws IOException {
      socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket s = socket.accept();
                    open.add(s);
                    serve(s, body, gapMillis);
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
              },
              "stalling-api");
      thread.setDaemon(true);
      thread.start();
    }

    private static void serve(Socket s, String body, long gapMillis)
        throws IOException, InterruptedException {
      InputStream in = s.getInputStream();
      StringBuilder request = new StringBuilder();
      while (!request.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        request.append((char) b);
      }
      if (body == null) {
        return; // the connection stays open, the answer never comes
      }
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < bytes.length; i += 8) {
        int n = Math.min(8, bytes.length - i);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, i, n);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(gapMillis);
      }
      if (body.endsWith("]}")) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    KubernetesClient client(int requestTimeoutMillis) {
      return new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder()
                  .withMasterUrl("http://127.0.0.1:" + port())
                  .withRequestTimeout(requestTimeoutMillis)
                  .withRequestRetryBackoffLimit(0)
                  .build())
          .build();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
