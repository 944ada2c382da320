package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NftListingTest {
  private static final NftTable WANT =
      new NftTable(IpFamily.IPV4, true, List.of(NftTable.forward(IpFamily.IPV4, "10.244.0.0/16")));

  @Test
  void handlesIndentationAndBlankLinesDoNotMatter() {
    String printed =
        """
        table ip flannel-ipv4 { # handle 7
            comment "rules for flannel-ipv4"

            chain forward { # handle 1
                comment "chain to accept flannel traffic"
                type filter hook forward priority filter; policy accept;
                ip saddr 10.244.0.0/16 accept # handle 2
                ip daddr 10.244.0.0/16 accept # handle 3
            }
        }
        """;
    assertThat(NftListing.parse(printed)).isEqualTo(NftListing.parse(WANT.text()));
    assertThat(NftListing.parse(WANT.text()).differences(NftListing.parse(printed))).isEmpty();
  }

  @Test
  void aForeignSetWithElementsOverSeveralLinesIsOneUnexpectedBlock() {
    String printed =
        WANT.text()
            .replace(
                "\tchain forward {",
                "\tset blocked {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1,\n"
                    + "\t\t\t     10.0.0.2 }\n\t}\n\n\tchain forward {");
    List<NftListing.Difference> diff =
        NftListing.parse(WANT.text()).differences(NftListing.parse(printed));
    assertThat(diff).containsExactly(new NftListing.Difference(null, "unexpected set blocked"));
  }

  @Test
  void bracesInsideQuotesDoNotOpenBlocks() {
    String printed = WANT.text().replace("rules for flannel-ipv4", "rules {for} flannel-ipv4 {");
    assertThat(NftListing.parse(WANT.text()).differences(NftListing.parse(printed)))
        .extracting(NftListing.Difference::detail)
        .containsExactly(
            "table holds [comment \"rules {for} flannel-ipv4 {\"], want [comment \"rules for"
                + " flannel-ipv4\"]");
  }

  @Test
  void onlyTheFirstTableIsRead() {
    String two = WANT.text() + "table ip other {\n\tchain x {\n\t\tip saddr 1.2.3.4 drop\n\t}\n}\n";
    assertThat(NftListing.parse(two)).isEqualTo(NftListing.parse(WANT.text()));
    assertThat(NftListing.parse("").isEmpty()).isTrue();
  }

  @Test
  void sameShapeIsSameBlocksAndLineCountsNotSameText() {
    NftListing want = NftListing.parse(WANT.text());
    NftListing otherNotation =
        NftListing.parse(
            WANT.text().replace("10.244.0.0/16 accept", "10.244.0.0/16 counter accept"));
    NftListing oneRuleMore =
        NftListing.parse(
            WANT.text().replace("\t\tip daddr", "\t\tip saddr 10.9.0.0/16 accept\n\t\tip daddr"));
    assertThat(otherNotation.sameShape(want)).isTrue();
    assertThat(otherNotation).isNotEqualTo(want);
    assertThat(oneRuleMore.sameShape(want)).isFalse();
  }
}
