package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.backend.BackendException;
import org.junit.jupiter.api.Test;

/** The Backend options, upstream's names and defaults, and one-line refusals. */
class OptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static WgOptions parse(String json) throws Exception {
    return WgOptions.parse((ObjectNode) JSON.readTree(json));
  }

  @Test
  void defaultsAreUpstreams() throws Exception {
    WgOptions o = parse("{\"Type\":\"wireguard\"}");
    assertThat(o).isEqualTo(new WgOptions(51820, 51821, 0, null, 0, Mode.SEPARATE));
  }

  @Test
  void everyOptionCaseInsensitively() throws Exception {
    WgOptions o =
        parse(
            "{\"Type\":\"wireguard\",\"listenport\":1000,\"ListenPortV6\":1001,\"MTU\":9000,"
                + "\"PSK\":\"xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=\","
                + "\"PersistentKeepaliveInterval\":25,\"Mode\":\"auto\"}");
    assertThat(o.listenPort()).isEqualTo(1000);
    assertThat(o.listenPortV6()).isEqualTo(1001);
    assertThat(o.mtu()).isEqualTo(9000);
    assertThat(o.psk().base64()).isEqualTo("xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=");
    assertThat(o.keepalive()).isEqualTo(25);
    assertThat(o.mode()).isEqualTo(Mode.AUTO);
  }

  @Test
  void aPskThatIsNot32BytesOfBase64IsRefusedInOneLineWithoutEchoingIt() {
    assertThatThrownBy(() -> parse("{\"PSK\":\"c2VjcmV0\"}"))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "wireguard backend option PSK must be a 32-byte key in base64 (as wg genpsk prints"
                + " it), but it is base64 of 6 bytes, not 32; fix Backend.PSK in net-conf.json or"
                + " remove it");
    assertThatThrownBy(() -> parse("{\"PSK\":\"%%%\"}"))
        .hasMessageContaining("it is not base64")
        .hasMessageNotContaining("%%%");
  }

  @Test
  void badValuesNameTheOptionAndTheFix() {
    assertThatThrownBy(() -> parse("{\"ListenPort\":70000}"))
        .hasMessage(
            "wireguard backend option ListenPort must be a whole number in 1..65535, got 70000;"
                + " fix Backend.ListenPort in net-conf.json (default 51820)");
    assertThatThrownBy(() -> parse("{\"Mode\":\"Separate\"}"))
        .hasMessage(
            "wireguard backend option Mode must be one of separate, auto, ipv4, ipv6, got"
                + " \"Separate\"; fix Backend.Mode in net-conf.json (default separate)");
    assertThatThrownBy(() -> parse("{\"PersistentKeepaliveInterval\":2.5}"))
        .hasMessageContaining("PersistentKeepaliveInterval must be a whole number");
  }
}
