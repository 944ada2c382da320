package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged distribution ({@code target/flanneld}) runs the way the container image runs it: the
 * launcher, jars only, {@code JAVA_OPTS=-Djffi.extract.dir=<writable dir>} (jffi extracts its
 * native stub there and unlinks it once loaded), and under {@code /opt/bin/flanneld}, a wrapper
 * that execs {@code /opt/flanneld/bin/flanneld} as the Dockerfile installs it. Needs no root: the
 * start-up check stops at interface selection, after the netlink socket (and so jffi) has worked.
 */
class DistributionIT {
  private static final Path DIST = Path.of(System.getProperty("user.dir"), "target", "flanneld");

  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {}

  private Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
    assertThat(DIST.resolve("bin/flanneld"))
        .as("the distribution; built by `mvn package` before the integration tests")
        .isExecutable();
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("FLANNELD_") || k.equals("JAVA_OPTS"));
    pb.environment().putAll(env);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("flanneld did not exit within 60 s: " + Files.readString(err));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private Map<String, String> imageEnv() throws IOException {
    return Map.of(
        "JAVA_OPTS", "-Djffi.extract.dir=" + Files.createDirectories(tmp.resolve("jffi")));
  }

  @Test
  void launcherPrintsTheVersionAndExitsZero() throws Exception {
    Run r = run(DIST.resolve("bin/flanneld"), imageEnv(), "--version");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().strip()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  /** The JDKs to start on: the one running the tests, and Temurin 25 where it is installed. */
  static Stream<String> javaHomes() {
    return Stream.of(System.getProperty("java.home"), JDK25)
        .filter(h -> Files.isExecutable(Path.of(h, "bin", "java")));
  }

  private static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

  @ParameterizedTest
  @MethodSource("javaHomes")
  void startsUpToInterfaceSelectionWithJffiExtractedIntoTheGivenDirectory(String javaHome)
      throws Exception {
    assumeTrue(
        Files.exists(Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables")),
        "br_netfilter is not loaded here: flanneld would stop before opening netlink");
    Path netConf =
        Files.writeString(tmp.resolve("net-conf.json"), "{\"Network\":\"10.244.0.0/16\"}");
    Path jffi = Files.createDirectories(tmp.resolve("jffi"));
    Map<String, String> env =
        Map.of(
            "JAVA_OPTS",
            "-Djffi.extract.dir=" + jffi,
            "NODE_NAME",
            "node-1",
            "JAVA_HOME",
            javaHome);
    Run r =
        run(
            DIST.resolve("bin/flanneld"),
            env,
            "--kube-subnet-mgr",
            "--kube-api-url=http://127.0.0.1:9", // never reached: interface selection fails first
            "--net-config-path=" + netConf,
            "--public-ip=192.0.2.77",
            "--iface=jfl-no-such0",
            "--subnet-file=" + tmp.resolve("subnet.env"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .contains("no interface matches --iface jfl-no-such0")
        .doesNotContain("UnsatisfiedLinkError")
        .as("JDK 22+ warns about native access unless the launcher enables it")
        .doesNotContain("restricted method");
    try (Stream<Path> left = Files.list(jffi)) {
      assertThat(left).as("jffi unlinks its stub once loaded").isEmpty();
    }
  }

  @Test
  void mapsTheClassDataSharingArchiveOfItsModeUnlessTurnedOff() throws Exception {
    for (String mode : List.of("etcd", "kube")) {
      assertThat(DIST.resolve("lib/flanneld-" + mode + ".jsa"))
          .as("dumped by `mvn package` from lib/flanneld-" + mode + ".classlist")
          .isReadable();
      assertThat(DIST.resolve("lib/flanneld-" + mode + ".classlist")).isReadable();
    }
    Path log = tmp.resolve("classes.log");
    Path cdsLog = tmp.resolve("cds.log");
    String logFlags = " -Xlog:class+load=info:file=" + log + " -Xlog:cds=info:file=" + cdsLog;
    Map<String, String> env = Map.of("JAVA_OPTS", imageEnv().get("JAVA_OPTS") + logFlags);
    Run on = run(DIST.resolve("bin/flanneld"), env, "--help");
    assertThat(on.exitCode()).as(on.err()).isZero();
    assertThat(on.err()).isEmpty();
    assertThat(Files.readAllLines(log))
        .as("our own classes come from the archive")
        .anyMatch(l -> l.contains("io.jflannel.daemon.Main source: shared objects file"));
    String etcdArchive =
        "Opened archive " + DIST.resolve("lib/flanneld-etcd.jsa").toRealPath() + ".";
    String kubeArchive =
        "Opened archive " + DIST.resolve("lib/flanneld-kube.jsa").toRealPath() + ".";
    assertThat(Files.readString(cdsLog))
        .as("etcd mode (the default) maps the etcd archive")
        .contains(etcdArchive);

    for (String kubeFlag : List.of("--kube-subnet-mgr", "-kube-subnet-mgr=true")) {
      Run kube = run(DIST.resolve("bin/flanneld"), env, kubeFlag, "--help");
      assertThat(kube.exitCode()).as(kube.err()).isZero();
      assertThat(Files.readString(cdsLog))
          .as("%s maps the kube archive", kubeFlag)
          .contains(kubeArchive);
    }
    Map<String, String> kubeEnv = new java.util.HashMap<>(env);
    kubeEnv.put("FLANNELD_KUBE_SUBNET_MGR", "true");
    Run fromEnv = run(DIST.resolve("bin/flanneld"), kubeEnv, "--help");
    assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();
    assertThat(Files.readString(cdsLog))
        .as("FLANNELD_KUBE_SUBNET_MGR=true maps the kube archive")
        .contains(kubeArchive);

    Files.delete(log);
    Map<String, String> off = new java.util.HashMap<>(env);
    off.put("FLANNELD_CDS", "off");
    Run without = run(DIST.resolve("bin/flanneld"), off, "--help");
    assertThat(without.exitCode()).as(without.err()).isZero();
    assertThat(Files.readAllLines(log))
        .filteredOn(l -> l.contains("io.jflannel.daemon.Main "))
        .singleElement()
        .asString()
        .doesNotContain("shared objects file");
  }

  @Test
  void aSymlinkedLauncherFindsItsJars() throws Exception {
    Path link = tmp.resolve("flanneld-link");
    Files.createSymbolicLink(link, DIST.resolve("bin/flanneld").toAbsolutePath());
    Run r = run(link, imageEnv(), "--version");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().strip()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void runsFromTheImagesLayoutThroughOptBinFlanneld() throws Exception {
    Path opt = tmp.resolve("opt");
    copyTree(DIST, opt.resolve("flanneld"));
    Path wrapper = opt.resolve("bin/flanneld");
    Files.createDirectories(wrapper.getParent());
    // as the Dockerfile writes it (a symlink works too: aSymlinkedLauncherFindsItsJars)
    Files.writeString(
        wrapper, "#!/bin/sh\nexec " + opt.resolve("flanneld/bin/flanneld") + " \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run r = run(wrapper, imageEnv(), "--version");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().strip()).isNotEmpty();
  }

  @Test
  void startsWithoutTheAppCdsArchiveWhenItDoesNotMatch() throws Exception {
    Path dist = tmp.resolve("dist");
    copyTree(DIST, dist);
    byte[] garbage = new byte[4096];
    new java.util.Random(6).nextBytes(garbage);
    Files.write(dist.resolve("lib/flanneld-etcd.jsa"), garbage);
    Run r = run(dist.resolve("bin/flanneld"), imageEnv(), "--version");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines().reduce((a, b) -> b).orElse(""))
        .matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

    // an archive of another distribution (other jar paths): ignored, a normal start
    Path other = tmp.resolve("other");
    copyTree(DIST, other);
    Path trained = tmp.resolve("other.jsa");
    Map<String, String> train =
        Map.of(
            "JAVA_OPTS",
            imageEnv().get("JAVA_OPTS") + " -XX:ArchiveClassesAtExit=" + trained + " -Xlog:cds=off",
            "FLANNELD_CDS",
            "off"); // a dynamic archive on top of the JDK's own
    assertThat(run(other.resolve("bin/flanneld"), train, "--version").exitCode()).isZero();
    Files.copy(trained, dist.resolve("lib/flanneld-etcd.jsa"), StandardCopyOption.REPLACE_EXISTING);
    r = run(dist.resolve("bin/flanneld"), imageEnv(), "--version");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("0.");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
