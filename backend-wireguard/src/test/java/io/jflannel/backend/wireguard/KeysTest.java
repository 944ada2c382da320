package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X25519 through the JDK, the key forms, and the key file. */
class KeysTest {
  @TempDir Path dir;

  @Test
  void publicKeyIsRfc7748sX25519OfTheBasePoint() {
    // RFC 7748 section 6.1: Alice's private and public key
    WgKey priv =
        WgKey.of(
            HexFormat.of()
                .parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    assertThat(X25519.publicOf(priv).hex())
        .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  }

  @Test
  void aKnownWireguardKeyPair() {
    // wg genkey | tee priv | wg pubkey (wireguard-tools 1.0.20210914)
    WgKey priv = WgKey.parseBase64("+BTzT4K+3f5YVgNAkvM7k5v4hjZ4F7Ft9bdO6OfU3FU=");
    assertThat(X25519.publicOf(priv).base64())
        .isEqualTo("xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=");
  }

  @Test
  void generatedKeysAreClampedAndDiffer() {
    WgKey a = X25519.generatePrivate();
    WgKey b = X25519.generatePrivate();
    assertThat(a).isNotEqualTo(b);
    byte[] k = a.bytes();
    assertThat(k[0] & 7).isZero();
    assertThat(k[31] & 0xc0).isEqualTo(0x40);
  }

  @Test
  void formsAndMalformedKeys() {
    WgKey k = WgKey.parseBase64("xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=");
    assertThat(WgKey.parseHex(k.hex())).isEqualTo(k);
    assertThat(k.redacted()).doesNotContain(k.base64().substring(5));
    assertThatThrownBy(() -> WgKey.parseBase64("AAAA")).hasMessage("base64 of 3 bytes, not 32");
    assertThatThrownBy(() -> WgKey.parseBase64("not a key!")).hasMessageStartingWith("not base64");
    assertThat(WgKey.of(new byte[32]).isZero()).isTrue();
  }

  @Test
  void keyFileIsMadeOnceWithMode0400AndReusedAfter() throws IOException {
    Path file = dir.resolve("sub/wgkey");
    WgKey first = KeyFile.loadOrCreate(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--------");
    assertThat(Files.readString(file)).isEqualTo(first.base64());
    assertThat(KeyFile.loadOrCreate(file)).isEqualTo(first);
  }

  @Test
  void aKeyFileWrittenByWgGenkeyIsRead() throws IOException {
    Path file = dir.resolve("wgkey");
    Files.writeString(file, "+BTzT4K+3f5YVgNAkvM7k5v4hjZ4F7Ft9bdO6OfU3FU=\n");
    assertThat(KeyFile.loadOrCreate(file).base64())
        .isEqualTo("+BTzT4K+3f5YVgNAkvM7k5v4hjZ4F7Ft9bdO6OfU3FU=");
  }

  @Test
  void aKeyFileWithGarbageNamesTheFileAndTheFix() throws IOException {
    Path file = dir.resolve("wgkey");
    Files.writeString(file, "garbage");
    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("delete it");
  }

  @Test
  void pathIsUpstreamsDefaultOrItsEnvironmentVariable() {
    assertThat(KeyFile.path(Map.of())).isEqualTo(Path.of("/run/flannel/wgkey"));
    assertThat(KeyFile.path(Map.of("WIREGUARD_KEY_FILE", "/tmp/k"))).isEqualTo(Path.of("/tmp/k"));
  }
}
