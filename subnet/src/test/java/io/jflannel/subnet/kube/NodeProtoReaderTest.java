package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The protobuf page reader, on answers of a real kube-apiserver v1.20.2 ({@code
 * src/test/resources/kube}: {@code GET /api/v1/nodes?limit=3} with protobuf and with JSON accepted,
 * one after the other, nothing written between; and the same list for a user without RBAC, 403).
 * The three Nodes: one bare (no annotations, no pod CIDR), one dual-stack with flannel's
 * annotations, taints, a provider ID and a status, and a bench peer with managedFields.
 */
class NodeProtoReaderTest {

  @Test
  void readsTheSameSlimNodesAndPageAsTheJsonReaderFromTheSameList() throws IOException {
    List<Node> fromProtobuf = new ArrayList<>();
    List<Node> fromJson = new ArrayList<>();
    NodeListReader.Page pb = NodeProtoReader.read(resource("nodes-page.pb"), fromProtobuf::add);
    NodeListReader.Page json = NodeListReader.read(resource("nodes-page.json"), fromJson::add);

    assertThat(pb).isEqualTo(json);
    assertThat(pb.items()).isEqualTo(3);
    assertThat(pb.resourceVersion()).isEqualTo("5203");
    assertThat(pb.continueToken()).startsWith("eyJ2IjoibWV0YS5rOHMuaW8vdjEi");
    assertThat(pb.last()).isFalse();
    assertThat(fromProtobuf).isEqualTo(fromJson);

    Node dual = fromProtobuf.get(1);
    assertThat(dual.getMetadata().getName()).isEqualTo("a-dual");
    assertThat(dual.getMetadata().getAnnotations())
        .containsEntry("flannel.alpha.coreos.com/public-ipv6", "fd00::77")
        .containsEntry(
            "flannel.alpha.coreos.com/backend-data",
            "{\"VNI\":1,\"VtepMAC\":\"0a:00:00:00:00:aa\"}")
        .containsEntry("empty", "")
        .containsEntry("unicode", "nöde ☃")
        .hasSize(8);
    assertThat(dual.getSpec().getPodCIDR()).isEqualTo("10.244.77.0/24");
    // the v1.20 API server (no IPv6DualStack gate) kept only the first of the two podCIDRs
    assertThat(dual.getSpec().getPodCIDRs()).containsExactly("10.244.77.0/24");
    // slim: nothing else of the Node is kept
    assertThat(dual.getStatus()).isNull();
    assertThat(dual.getSpec().getTaints()).isEmpty();
    assertThat(dual.getSpec().getProviderID()).isNull();
    assertThat(dual.getMetadata().getLabels()).isEmpty();
    assertThat(dual.getMetadata().getManagedFields()).isEmpty();

    Node bare = fromProtobuf.get(0);
    assertThat(bare.getMetadata().getName()).isEqualTo("a-bare");
    assertThat(bare.getMetadata().getAnnotations()).isEmpty();
    assertThat(bare.getSpec().getPodCIDR()).isNull(); // protobuf has "", JSON nothing
    assertThat(fromProtobuf.get(2).getMetadata().getResourceVersion()).isNotEmpty();
  }

  @Test
  void aCutAnswerOrAnotherFormatFailsWithAnIoException() throws IOException {
    byte[] whole = resource("nodes-page.pb").readAllBytes();
    for (int cut : new int[] {2, 10, 40, whole.length / 2, whole.length - 1}) {
      byte[] part = Arrays.copyOf(whole, cut);
      assertThatThrownBy(() -> NodeProtoReader.read(new ByteArrayInputStream(part), n -> {}))
          .as("cut at %d of %d", cut, whole.length)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("node list:");
    }
    assertThatThrownBy(() -> NodeProtoReader.read(resource("nodes-page.json"), n -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no k8s magic");
  }

  @Test
  void anErrorStatusInProtobufYieldsItsMessage() throws IOException {
    byte[] forbidden = resource("nodes-403.pb").readAllBytes();
    assertThat(NodeProtoReader.statusMessage(forbidden))
        .isEqualTo(
            "nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\""
                + " at the cluster scope");
    assertThat(NodeProtoReader.statusMessage("{\"kind\":\"Status\"}".getBytes())).isNull();
    assertThat(NodeProtoReader.statusMessage(Arrays.copyOf(forbidden, 20))).isNull();
  }

  @Test
  void knowsTheMediaType() {
    assertThat(NodeProtoReader.isProtobuf("application/vnd.kubernetes.protobuf")).isTrue();
    assertThat(NodeProtoReader.isProtobuf("application/vnd.kubernetes.protobuf;stream=watch"))
        .isTrue();
    assertThat(NodeProtoReader.isProtobuf("application/json")).isFalse();
    assertThat(NodeProtoReader.isProtobuf(null)).isFalse();
  }

  static InputStream resource(String name) {
    InputStream in = NodeProtoReaderTest.class.getResourceAsStream("/kube/" + name);
    assertThat(in).as(name).isNotNull();
    return in;
  }

  @Test
  void readsFieldsInAnyOrderAndStepsOverEveryWireType() throws IOException {
    byte[] node =
        Proto.message(
            Proto.varintField(9, 300), // unknown varint
            Proto.field(3, Proto.message(Proto.string(1, "Ready"))), // status, first
            Proto.field(
                2,
                Proto.message(
                    Proto.string(7, "10.1.0.0/24"),
                    Proto.fixed64(8),
                    Proto.string(1, "10.1.0.0/24"))),
            Proto.field(
                1,
                Proto.message(
                    Proto.fixed32(20),
                    Proto.field(12, Proto.message(Proto.string(2, "v"), Proto.string(1, "k"))),
                    Proto.string(6, "42"),
                    Proto.string(1, "n1"))));
    byte[] list =
        Proto.nodeList(
            Proto.message(
                Proto.field(2, node), Proto.field(1, Proto.message(Proto.string(2, "43")))));
    List<Node> seen = new ArrayList<>();
    NodeListReader.Page page = NodeProtoReader.read(new ByteArrayInputStream(list), seen::add);

    assertThat(page).isEqualTo(new NodeListReader.Page("43", null, 1));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).getMetadata().getName()).isEqualTo("n1");
    assertThat(seen.get(0).getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(seen.get(0).getMetadata().getAnnotations()).isEqualTo(Map.of("k", "v"));
    assertThat(seen.get(0).getSpec().getPodCIDRs()).containsExactly("10.1.0.0/24");
  }

  @Test
  void refusesAnotherKindAndACompressedBody() {
    byte[] pods = Proto.unknown("PodList", Proto.message(Proto.field(1, Proto.message())), "");
    assertThatThrownBy(() -> NodeProtoReader.read(new ByteArrayInputStream(pods), n -> {}))
        .hasMessage("node list: the API server answered a PodList, not a NodeList");
    byte[] gzip = Proto.unknown("NodeList", Proto.message(Proto.field(1, Proto.message())), "gzip");
    assertThatThrownBy(() -> NodeProtoReader.read(new ByteArrayInputStream(gzip), n -> {}))
        .hasMessage("node list: unsupported content encoding gzip");
  }

  /** A protobuf writer for the tests' own messages. */
  static final class Proto {
    private Proto() {}

    static byte[] message(byte[]... fields) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (byte[] f : fields) {
        out.writeBytes(f);
      }
      return out.toByteArray();
    }

    static byte[] field(int number, byte[] value) {
      return message(varint((number << 3) | 2), varint(value.length), value);
    }

    static byte[] string(int number, String value) {
      return field(number, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static byte[] varintField(int number, long value) {
      return message(varint(number << 3), varint(value));
    }

    static byte[] fixed64(int number) {
      return message(varint((number << 3) | 1), new byte[8]);
    }

    static byte[] fixed32(int number) {
      return message(varint((number << 3) | 5), new byte[4]);
    }

    static byte[] varint(long value) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      while ((value & ~0x7fL) != 0) {
        out.write((int) ((value & 0x7f) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
      return out.toByteArray();
    }

    /** The API server's envelope around {@code raw}: magic, then a runtime.Unknown. */
    static byte[] unknown(String kind, byte[] raw, String contentEncoding) {
      return message(
          new byte[] {'k', '8', 's', 0},
          field(1, message(string(1, "v1"), string(2, kind))),
          field(2, raw),
          string(3, contentEncoding),
          string(4, ""));
    }

    /** A NodeList answer holding {@code raw}. */
    static byte[] nodeList(byte[] raw) {
      return unknown("NodeList", raw, "");
    }

    /** A one-page NodeList of {@code names} (pod CIDRs 10.244.i.0/24) at {@code version}. */
    static byte[] nodeList(String version, String... names) {
      List<byte[]> fields = new ArrayList<>();
      fields.add(field(1, message(string(2, version))));
      for (int i = 0; i < names.length; i++) {
        String cidr = "10.244." + i + ".0/24";
        fields.add(
            field(
                2,
                message(
                    field(1, message(string(1, names[i]), string(6, version))),
                    field(2, message(string(1, cidr), string(7, cidr))))));
      }
      return nodeList(message(fields.toArray(new byte[0][])));
    }
  }
}
