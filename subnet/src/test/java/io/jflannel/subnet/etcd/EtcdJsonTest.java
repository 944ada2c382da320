package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** etcd's gateway JSON: requests as etcd reads them, answers as etcd 3.4 writes them. */
class EtcdJsonTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(String s) throws Exception {
    return EtcdJson.MAPPER.readTree(s);
  }

  @Test
  void aPrefixRangeEndsAtThePrefixWithItsLastByteRaised() throws Exception {
    JsonNode range = json(EtcdJson.range("/coreos.com/network/subnets/", true));
    assertThat(range.get("key").asText()).isEqualTo(b64("/coreos.com/network/subnets/"));
    assertThat(range.get("range_end").asText()).isEqualTo(b64("/coreos.com/network/subnets0"));
    assertThat(json(EtcdJson.range("/k", false)).has("range_end")).isFalse();
  }

  @Test
  void aPrefixEndCarriesOverBytesThatCannotBeRaised() {
    assertThat(EtcdJson.prefixEnd(new byte[] {'a', (byte) 0xff, (byte) 0xff})).containsExactly('b');
    assertThat(EtcdJson.prefixEnd(new byte[] {(byte) 0xff})).containsExactly(0);
  }

  @Test
  void aConditionalPutComparesTheGivenTargetAndAttachesTheLease() throws Exception {
    JsonNode create = json(EtcdJson.putIf("/k", "VERSION", 0, "{\"a\":1}", 0));
    assertThat(create.at("/compare/0/target").asText()).isEqualTo("VERSION");
    assertThat(create.at("/compare/0/version").asText()).isEqualTo("0");
    assertThat(create.at("/success/0/request_put/value").asText()).isEqualTo(b64("{\"a\":1}"));
    assertThat(create.at("/success/0/request_put").has("lease")).isFalse();

    JsonNode replace = json(EtcdJson.putIf("/k", "CREATE", 42, "v", 7587899416187045893L));
    assertThat(replace.at("/compare/0/target").asText()).isEqualTo("CREATE");
    assertThat(replace.at("/compare/0/create_revision").asLong()).isEqualTo(42);
    assertThat(replace.at("/success/0/request_put/lease").asLong()).isEqualTo(7587899416187045893L);
  }

  @Test
  void aWatchStartsAtTheRevisionWithProgressNotifications() throws Exception {
    JsonNode create = json(EtcdJson.watch("/p/", true, 12)).get("create_request");
    assertThat(create.get("start_revision").asLong()).isEqualTo(12);
    assertThat(create.get("progress_notify").asBoolean()).isTrue();
    assertThat(create.get("range_end").asText()).isEqualTo(b64("/p0"));
  }

  @Test
  void credentialsAreQuotedAsJson() throws Exception {
    JsonNode auth = json(EtcdJson.authenticate("flannel", "p\"w\\d"));
    assertThat(auth.get("password").asText()).isEqualTo("p\"w\\d");
  }

  @Test
  void aListingIsReadKeyByKeyWithLeftOutDefaults() throws Exception {
    // as etcd 3.4.23 answered (lease and value left out where they are 0 and empty)
    String answer =
        "{\"header\":{\"cluster_id\":\"1484\",\"revision\":\"9\",\"raft_term\":\"2\"},"
            + "\"kvs\":[{\"key\":\""
            + b64("/p/subnets/10.0.1.0-24")
            + "\",\"create_revision\":\"2\",\"mod_revision\":\"5\",\"version\":\"2\",\"value\":\""
            + b64("{\"PublicIP\":\"1.2.3.4\"}")
            + "\",\"lease\":\"7587899416187045893\"},"
            + "{\"key\":\""
            + b64("/p/subnets/10.0.2.0-24")
            + "\",\"create_revision\":\"3\",\"mod_revision\":\"3\",\"version\":\"1\"}],"
            + "\"count\":\"2\",\"more\":false}";
    EtcdStore.Listing listing =
        EtcdJson.listing(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
    assertThat(listing.revision()).isEqualTo(9);
    assertThat(listing.entries())
        .containsExactly(
            new EtcdStore.Entry(
                "/p/subnets/10.0.1.0-24", "{\"PublicIP\":\"1.2.3.4\"}", 7587899416187045893L, 2, 5),
            new EtcdStore.Entry("/p/subnets/10.0.2.0-24", "", 0, 3, 3));
  }

  @Test
  void anEmptyRangeHasOnlyItsRevision() throws Exception {
    EtcdStore.Listing listing =
        EtcdJson.listing(
            new ByteArrayInputStream(
                "{\"header\":{\"revision\":\"4\"}}".getBytes(StandardCharsets.UTF_8)));
    assertThat(listing.revision()).isEqualTo(4);
    assertThat(listing.entries()).isEmpty();
  }

  @Test
  void watchEventsArePutsUnlessTypedDelete() throws Exception {
    JsonNode result =
        json(
            "{\"header\":{\"revision\":\"3\"},\"events\":[{\"kv\":{\"key\":\""
                + b64("/p/a")
                + "\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"value\":\""
                + b64("x")
                + "\"}},{\"type\":\"DELETE\",\"kv\":{\"key\":\""
                + b64("/p/a")
                + "\",\"mod_revision\":\"3\"}}]}");
    assertThat(EtcdJson.events(result))
        .containsExactly(
            new EtcdStore.Event(false, new EtcdStore.Entry("/p/a", "x", 0, 2, 2)),
            new EtcdStore.Event(true, new EtcdStore.Entry("/p/a", "", 0, 0, 3)));
    assertThat(EtcdJson.events(json("{\"header\":{\"revision\":\"7\"}}"))).isEmpty();
  }

  @Test
  void etcdsErrorsReadAsGrpcStatuses() {
    assertThat(
            EtcdConnection.httpError(
                    403,
                    "{\"error\":\"etcdserver: permission denied\",\"message\":\"etcdserver:"
                        + " permission denied\",\"code\":7}",
                    "/v3/kv/range")
                .getMessage())
        .isEqualTo("PERMISSION_DENIED: etcdserver: permission denied");
    EtcdException notEtcd = EtcdConnection.httpError(404, "404 page not found\n", "/v3/kv/range");
    assertThat(notEtcd.getMessage())
        .isEqualTo(
            "UNIMPLEMENTED: HTTP 404 for /v3/kv/range (404 page not found): is this etcd 3.4 or"
                + " later with its JSON gateway on (not --enable-grpc-gateway=false)?");
  }
}
