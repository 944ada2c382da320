package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreSyntaxTest {
  @Test
  void tokenizeRemovesQuotesAndKeepsSpacesInsideThem() {
    assertThat(
            RestoreSyntax.tokenize(
                "-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT"))
        .containsExactly(
            "-A",
            "FLANNEL-FWD",
            "-s",
            "10.244.0.0/16",
            "-m",
            "comment",
            "--comment",
            "flanneld forward",
            "-j",
            "ACCEPT");
  }

  @Test
  void tokenizeUnescapesInsideQuotesAndCollapsesWhitespace() {
    assertThat(RestoreSyntax.tokenize("  a   \"say \\\"hi\\\" \\\\o/\"  \"\"  b "))
        .containsExactly("a", "say \"hi\" \\o/", "", "b");
  }

  @Test
  void formatAlwaysQuotesTheCommentLikeIptablesSave() {
    assertThat(RestoreSyntax.format(List.of("-m", "comment", "--comment", "x", "-j", "RETURN")))
        .isEqualTo("-m comment --comment \"x\" -j RETURN");
  }

  @Test
  void formatQuotesAndEscapesOnlyWhatNeedsIt() {
    assertThat(RestoreSyntax.format(List.of("!", "-s", "a b", "say \"hi\"", "")))
        .isEqualTo("! -s \"a b\" \"say \\\"hi\\\"\" \"\"");
  }

  @Test
  void formatThenTokenizeGivesTheTokensBack() {
    List<String> rule =
        FlannelChain.masquerade("10.0.0.0/8", "10.1.0.0/24", IpFamily.IPV4, true).rules().get(4);
    assertThat(RestoreSyntax.tokenize(RestoreSyntax.format(rule))).isEqualTo(rule);
  }
}
