package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.backend.udp.sys.MsgVec;
import io.jflannel.backend.udp.sys.Native;
import org.junit.jupiter.api.Test;

class MsgVecTest {
  @Test
  void slotsAreLaidOutBackToBackAndHeadersOneMmsghdrApart() {
    MsgVec v = new MsgVec(4, 2048);
    int mmsghdr = Native.pointerSize() == 8 ? 64 : 32;

    assertThat(v.count()).isEqualTo(4);
    assertThat(v.offset(3)).isEqualTo(3 * 2048);
    assertThat(v.slotAddress(3) - v.slotAddress(0)).isEqualTo(3 * 2048);
    assertThat(v.header(2) - v.header(0)).isEqualTo(2 * mmsghdr);
    assertThat(v.packets().capacity()).isEqualTo(4 * 2048);
  }

  @Test
  void aFreshVectorHasNothingReceived() {
    MsgVec v = new MsgVec(2, 128);
    assertThat(v.receivedLength(1)).isZero();
    assertThat(v.flags(1)).isZero();
    assertThat(v.sourceIp(1)).isZero();
  }
}
