package io.jflannel.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackendFactoryTest {

  @Test
  void findsAFactoryOnTheClassPathByTypeInAnyLetterCase() {
    assertThat(BackendFactory.find("test-backend")).get().isInstanceOf(TestBackendFactory.class);
    assertThat(BackendFactory.find("TEST-Backend")).get().isInstanceOf(TestBackendFactory.class);
  }

  @Test
  void findsNothingForAnUnknownType() {
    assertThat(BackendFactory.find("ipsec")).isEmpty();
  }
}
