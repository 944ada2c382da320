package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import org.junit.jupiter.api.Test;

class UdpOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static UdpOptions parse(String json) throws Exception {
    return UdpOptions.parse((ObjectNode) JSON.readTree(json));
  }

  @Test
  void portDefaultsTo8285() throws Exception {
    assertThat(parse("{\"Type\":\"udp\"}").port()).isEqualTo(8285);
    assertThat(parse("{\"Type\":\"udp\",\"Port\":null}").port()).isEqualTo(8285);
  }

  @Test
  void portKeyIsCaseInsensitiveAndOtherKeysAreIgnored() throws Exception {
    assertThat(parse("{\"Type\":\"udp\",\"port\":7000,\"VNI\":4}").port()).isEqualTo(7000);
    assertThat(parse("{\"PORT\":9000}").port()).isEqualTo(9000);
  }

  @Test
  void aBadPortIsRefusedWithTheKeyAndTheFix() {
    for (String bad : new String[] {"0", "65536", "\"8285\"", "1.5", "-1"}) {
      assertThatThrownBy(() -> parse("{\"Port\":" + bad + "}"))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("udp backend option Port")
          .hasMessageContaining("1..65535")
          .hasMessageContaining("net-conf.json");
    }
  }

  @Test
  void theFactoryIsFoundByTypeCaseInsensitively() {
    assertThat(BackendFactory.find("UDP")).get().isInstanceOf(UdpFactory.class);
    assertThat(BackendFactory.find("udp").orElseThrow().type()).isEqualTo("udp");
  }
}
