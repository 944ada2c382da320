package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
