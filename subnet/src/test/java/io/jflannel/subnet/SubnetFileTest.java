package io.jflannel.subnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubnetFileTest {

  static final SubnetEnv V4_ONLY =
      new SubnetEnv(
          Ip4Net.parse("10.244.0.0/16"), Ip4Net.parse("10.244.1.0/24"), null, null, 1450, true);
  static final SubnetEnv DUAL_STACK =
      new SubnetEnv(
          Ip4Net.parse("10.244.0.0/16"),
          Ip4Net.parse("10.244.1.0/24"),
          Ip6Net.parse("2001:cafe:42::/56"),
          Ip6Net.parse("2001:cafe:42:1::/64"),
          1450,
          true);
  static final SubnetEnv V6_ONLY =
      new SubnetEnv(
          null, null, Ip6Net.parse("fc00::/48"), Ip6Net.parse("fc00:0:0:3::/64"), 1500, false);

  @TempDir Path dir;

  @Test
  void writesAnIpv4OnlyFileExactlyAsUpstream() throws Exception {
    assertThat(written(V4_ONLY))
        .isEqualTo(
            "FLANNEL_NETWORK=10.244.0.0/16\n"
                + "FLANNEL_SUBNET=10.244.1.1/24\n"
                + "FLANNEL_MTU=1450\n"
                + "FLANNEL_IPMASQ=true\n");
  }

  @Test
  void writesADualStackFileExactlyAsUpstream() throws Exception {
    assertThat(written(DUAL_STACK))
        .isEqualTo(
            "FLANNEL_NETWORK=10.244.0.0/16\n"
                + "FLANNEL_SUBNET=10.244.1.1/24\n"
                + "FLANNEL_IPV6_NETWORK=2001:cafe:42::/56\n"
                + "FLANNEL_IPV6_SUBNET=2001:cafe:42:1::1/64\n"
                + "FLANNEL_MTU=1450\n"
                + "FLANNEL_IPMASQ=true\n");
  }

  @Test
  void writesAnIpv6OnlyFileExactlyAsUpstream() throws Exception {
    assertThat(written(V6_ONLY))
        .isEqualTo(
            "FLANNEL_IPV6_NETWORK=fc00::/48\n"
                + "FLANNEL_IPV6_SUBNET=fc00:0:0:3::1/64\n"
                + "FLANNEL_MTU=1500\n"
                + "FLANNEL_IPMASQ=false\n");
  }

  @Test
  void writesMode0644EvenOverAPrivateFile() throws Exception {
    Path path = dir.resolve("subnet.env");
    Files.writeString(path, "old");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));

    new SubnetFile(path).write(V4_ONLY);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void createsMissingParentDirectoriesWithMode0755() throws Exception {
    Path path = dir.resolve("run/flannel/subnet.env");

    new SubnetFile(path).write(V4_ONLY);

    assertThat(path).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())))
        .isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("run"))))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void replacesTheFileAtomicallyByRename() throws Exception {
    Path path = dir.resolve("subnet.env");
    SubnetFile file = new SubnetFile(path);
    file.write(V4_ONLY);
    Object inodeBefore = Files.getAttribute(path, "unix:ino");

    try (InputStream reader = Files.newInputStream(path)) {
      file.write(V6_ONLY);

      // a reader that opened the old file keeps reading the complete old contents
      assertThat(new String(reader.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(SubnetFile.format(V4_ONLY));
    }
    assertThat(Files.readString(path)).isEqualTo(SubnetFile.format(V6_ONLY));
    assertThat(Files.getAttribute(path, "unix:ino")).isNotEqualTo(inodeBefore);
    assertThat(filesIn(dir)).containsExactly("subnet.env");
  }

  @Test
  void leavesNoTempFileWhenTheRenameFails() throws Exception {
    Path path = dir.resolve("subnet.env");
    Files.createDirectories(path.resolve("occupied"));

    assertThatThrownBy(() -> new SubnetFile(path).write(V4_ONLY)).isInstanceOf(IOException.class);

    assertThat(filesIn(dir)).containsExactly("subnet.env");
    assertThat(path).isDirectory();
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    SubnetFile file = new SubnetFile(dir.resolve("subnet.env"));
    for (SubnetEnv env : new SubnetEnv[] {V4_ONLY, DUAL_STACK, V6_ONLY}) {
      file.write(env);

      assertThat(file.read()).contains(env);
    }
  }

  @Test
  void readsAMissingFileAsEmpty() {
    assertThat(new SubnetFile(dir.resolve("absent/subnet.env")).read()).isEmpty();
  }

  @Test
  void readsAnUnreadablePathAsEmpty() {
    assertThat(new SubnetFile(dir).read()).isEmpty();
  }

  @Test
  void readsDamagedFilesAsEmpty() throws Exception {
    String[] damaged = {
      "",
      "garbage",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1/24\nFLANNEL_MTU=1450\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=lots\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\n"
          + "FLANNEL_IPMASQ=maybe\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=\"10.244.1.1/24\nFLANNEL_MTU=1450\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=10.0.0.1/24\nFLANNEL_MTU=1450\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/32\nFLANNEL_MTU=1450\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=0\n"
          + "FLANNEL_IPMASQ=true\n",
      "FLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\n= 1450\n"
    };
    Path path = dir.resolve("subnet.env");
    for (String text : damaged) {
      Files.writeString(path, text);

      assertThat(new SubnetFile(path).read()).as("reading %s", text).isEmpty();
    }
  }

  @Test
  void readsBinaryGarbageAndHugeFilesAsEmpty() throws Exception {
    Path path = dir.resolve("subnet.env");
    Files.write(path, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
    assertThat(new SubnetFile(path).read()).isEmpty();

    Files.writeString(path, SubnetFile.format(V4_ONLY) + "#".repeat(100_000));
    assertThat(new SubnetFile(path).read()).isEmpty();
  }

  @Test
  void readsTheLeaseSubnetFromTheFirstUsableAddress() throws Exception {
    Path path = dir.resolve("subnet.env");
    Files.writeString(
        path,
        "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\n"
            + "FLANNEL_IPV6_NETWORK=2001:cafe:42::/56\nFLANNEL_IPV6_SUBNET=2001:cafe:42:7::1/64\n"
            + "FLANNEL_MTU=8951\nFLANNEL_IPMASQ=false\n");

    SubnetEnv env = new SubnetFile(path).read().orElseThrow();

    assertThat(env.subnet()).isEqualTo(Ip4Net.parse("10.244.7.0/24"));
    assertThat(env.ipv6Subnet()).isEqualTo(Ip6Net.parse("2001:cafe:42:7::/64"));
    assertThat(env.mtu()).isEqualTo(8951);
    assertThat(env.ipMasq()).isFalse();
  }

  @Test
  void readsBackAnIpv6OnlyFileAsThePreviousIpv6Subnet() throws Exception {
    Path path = dir.resolve("subnet.env");
    new SubnetFile(path).write(V6_ONLY);

    SubnetEnv env = new SubnetFile(path).read().orElseThrow();

    assertThat(env).isEqualTo(V6_ONLY);
    assertThat(env.network()).isNull();
    assertThat(env.subnet()).isNull();
    assertThat(env.ipv6Subnet()).isEqualTo(Ip6Net.parse("fc00:0:0:3::/64"));
  }

  @Test
  void toleratesWhatGodotenvToleratesOnOneLine() throws Exception {
    Path path = dir.resolve("subnet.env");
    Files.writeString(
        path,
        "# written by hand\r\n"
            + "\r\n"
            + "export FLANNEL_NETWORK=\"10.244.0.0/16\"\r\n"
            + "  FLANNEL_SUBNET = '10.244.1.1/24'   # this node\r\n"
            + "FLANNEL_MTU: 1450\r\n"
            + "FLANNEL_IPMASQ=true # masquerade\r\n"
            + "SOMETHING_ELSE=ignored\r\n"
            + "FLANNEL_MTU=1400\r\n");

    assertThat(new SubnetFile(path).read())
        .contains(
            new SubnetEnv(
                Ip4Net.parse("10.244.0.0/16"),
                Ip4Net.parse("10.244.1.0/24"),
                null,
                null,
                1400,
                true));
  }

  @Test
  void resolvesTheUpstreamDefaultPath() {
    assertThat(SubnetFile.DEFAULT_PATH).hasToString("/run/flannel/subnet.env");
    assertThat(new SubnetFile(Path.of("relative.env")).path()).isAbsolute();
  }

  private String written(SubnetEnv env) throws IOException {
    Path path = dir.resolve("subnet.env");
    new SubnetFile(path).write(env);
    String text = Files.readString(path, StandardCharsets.UTF_8);
    assertThat(text).isEqualTo(SubnetFile.format(env));
    return text;
  }

  private static Stream<String> filesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList().stream();
    }
  }
}
