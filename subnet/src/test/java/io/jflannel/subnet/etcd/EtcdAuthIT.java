package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.CONFIG;
import static io.jflannel.subnet.etcd.EtcdTestSupport.attrs;
import static io.jflannel.subnet.etcd.EtcdTestSupport.bytes;
import static io.jflannel.subnet.etcd.EtcdTestSupport.get;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static io.jflannel.subnet.etcd.EtcdTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --etcd-username} and {@code --etcd-password} against a real etcd with authentication
 * enabled: a root user, and a user {@code flannel} whose role has readwrite on the flannel prefixes
 * only, set up as with {@code etcdctl user add}, {@code role grant-permission} and {@code auth
 * enable} (through jetcd's auth API).
 */
class EtcdAuthIT {

  @RegisterExtension static final EtcdServer ETCD = new EtcdServer();

  /** Every test's prefix lies under this one, on which the flannel role has readwrite. */
  private static final String GRANTED = "/jflannel-auth/";

  private static final String PASSWORD = "flannel-pw-7f3a";
  private static final String ROOT_PASSWORD = "root-pw-91c2";
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static Client root;

  private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
  private final Handler julCapture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(String.valueOf(record.getMessage()) + " " + record.getThrown());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private String prefix;

  @BeforeAll
  static void enableAuth() throws Exception {
    Auth auth = ETCD.client().getAuthClient();
    await(auth.userAdd(bytes("root"), bytes(ROOT_PASSWORD)));
    await(auth.userGrantRole(bytes("root"), bytes("root")));
    await(auth.roleAdd(bytes("flannel")));
    await(
        auth.roleGrantPermission(
            bytes("flannel"),
            bytes(GRANTED),
            bytes(prefixEnd(GRANTED)),
            Permission.Type.READWRITE));
    await(auth.userAdd(bytes("flannel"), bytes(PASSWORD)));
    await(auth.userGrantRole(bytes("flannel"), bytes("flannel")));
    await(auth.authEnable());
    root =
        Client.builder()
            .endpoints(ETCD.endpoint())
            .user(bytes("root"))
            .password(bytes(ROOT_PASSWORD))
            .build();
  }

  @AfterAll
  static void closeRoot() {
    if (root != null) {
      root.close();
    }
  }

  @BeforeEach
  void writeConfigAndCaptureLogs() throws Exception {
    prefix = GRANTED + PREFIXES.incrementAndGet() + "/network";
    put(root, prefix + "/config", CONFIG);
    originalErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    Logger.getLogger("").addHandler(julCapture);
  }

  @AfterEach
  void restoreLogs() {
    Logger.getLogger("").removeHandler(julCapture);
    System.setErr(originalErr);
    originalErr.print(stderr.toString(StandardCharsets.UTF_8));
  }

  private EtcdSubnetManager manager(String username, String password) throws SubnetException {
    return EtcdSubnetManager.connect(
        ETCD.options(prefix).withCredentials(username, password), EtcdTestSupport.timings());
  }

  private void assertNeverLogged(String secret) {
    assertThat(stderr.toString(StandardCharsets.UTF_8)).contains(prefix).doesNotContain(secret);
    assertThat(logged).noneMatch(line -> line.contains(secret));
  }

  @Test
  void aUserWithReadwriteOnThePrefixAcquiresALease() throws Exception {
    try (EtcdSubnetManager manager = manager("flannel", PASSWORD)) {
      manager.networkConfig();
      Lease lease = manager.acquireLease(attrs("192.168.9.1"));

      String key = prefix + "/subnets/" + SubnetKeys.name(new LeaseKey(lease.subnet(), null));
      assertThat(value(get(root, key).orElseThrow())).isEqualTo(attrs("192.168.9.1").toJson());
    }
    assertNeverLogged(PASSWORD);
  }

  @Test
  void aWrongPasswordGivesOneLineWithoutThePassword() throws Exception {
    try (EtcdSubnetManager manager = manager("flannel", "not-" + PASSWORD)) {
      assertThatThrownBy(manager::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessage(
              "etcd: read "
                  + prefix
                  + "/config: etcd at ["
                  + ETCD.endpoint()
                  + "] refused --etcd-username flannel with the --etcd-password given"
                  + " (UNAUTHENTICATED: no such user, or a wrong password); check both");
    }
    assertNeverLogged("not-" + PASSWORD);
  }

  @Test
  void noCredentialsSaysAuthenticationIsEnabled() throws Exception {
    try (EtcdSubnetManager manager = manager("", "")) {
      assertThatThrownBy(manager::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessage(
              "etcd: read "
                  + prefix
                  + "/config: etcd at ["
                  + ETCD.endpoint()
                  + "] has authentication enabled (INVALID_ARGUMENT: etcdserver: user name is"
                  + " empty); give both --etcd-username and --etcd-password");
    }
  }

  @Test
  void aPrefixOutsideTheRolesPermissionIsDenied() throws Exception {
    prefix = "/elsewhere/network";
    try (EtcdSubnetManager manager = manager("flannel", PASSWORD)) {
      assertThatThrownBy(manager::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessage(
              "etcd: read /elsewhere/network/config: etcd at ["
                  + ETCD.endpoint()
                  + "] denied user flannel access to /elsewhere/network (permission denied);"
                  + " grant its role readwrite on the prefix: etcdctl role grant-permission"
                  + " <role> --prefix=true readwrite /elsewhere/network/");
    }
  }

  @Test
  void credentialsForAnEtcdWithoutAuthenticationAreDroppedAsUpstream() throws Exception {
    try (EtcdServer open = new EtcdServer()) {
      open.start();
      String openPrefix = EtcdTestSupport.freshPrefix();
      prefix = openPrefix; // what the log must show
      put(open.client(), openPrefix + "/config", CONFIG);
      try (EtcdSubnetManager manager =
          EtcdSubnetManager.connect(
              open.options(openPrefix).withCredentials("flannel", PASSWORD),
              EtcdTestSupport.timings())) {
        manager.networkConfig();
        Lease lease = manager.acquireLease(attrs("192.168.9.2"));

        String key = openPrefix + "/subnets/" + SubnetKeys.name(new LeaseKey(lease.subnet(), null));
        assertThat(value(get(open.client(), key).orElseThrow()))
            .isEqualTo(attrs("192.168.9.2").toJson());
      }
      assertThat(stderr.toString(StandardCharsets.UTF_8))
          .contains("has authentication disabled: going on without --etcd-username flannel");
    }
    assertNeverLogged(PASSWORD);
  }

  private static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }
}
