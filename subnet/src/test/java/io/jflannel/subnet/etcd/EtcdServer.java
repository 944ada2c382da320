package io.jflannel.subnet.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd ({@code /usr/bin/etcd}, Debian's {@code etcd-server}) for integration tests and the
 * benchmark: one member on a free loopback port pair with a temporary data directory.
 *
 * <p>Use as a JUnit 5 extension ({@code @RegisterExtension static final EtcdServer ETCD = new
 * EtcdServer();}): it starts before the class's tests and is stopped and deleted after them; when
 * etcd is not installed the tests are reported as skipped, with the reason. Or call {@link #start}
 * and {@link #close} directly. {@link #stop} and {@link #start} again restart the same member (same
 * data directory, same ports), for tests of a restart under a running client. {@link #tls} makes a
 * member that serves clients over TLS with client-certificate authentication.
 *
 * <p>The process is started directly (no shell), so the PID held is etcd's own, and it is stopped
 * by that PID only: {@code Process.destroy} (SIGTERM), then a forced kill if it has not exited
 * within 10 s. Not thread-safe: one test thread drives it.
 */
public final class EtcdServer
    implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Where Debian's etcd-server package installs etcd. */
  public static final Path ETCD = Path.of("/usr/bin/etcd");

  private final TestPki.Identity serverTls;
  private final TestPki.Identity clientTls;
  private final Path trustedCa;
  private Path dir;
  private int clientPort;
  private int peerPort;
  private int metricsPort;
  private Process process;
  private Client client;

  /** A member serving clients over plain HTTP. */
  public EtcdServer() {
    this(null, null, null);
  }

  private EtcdServer(TestPki.Identity serverTls, TestPki.Identity clientTls, Path trustedCa) {
    this.serverTls = serverTls;
    this.clientTls = clientTls;
    this.trustedCa = trustedCa;
  }

  /**
   * A member serving clients over TLS only, requiring a client certificate signed by {@code
   * trustedCa} ({@code --client-cert-auth}); {@link #client()} connects with {@code testClient}
   * (whose key must be PKCS#8: the test client is netty's, which reads only that). Health is polled
   * on a plain-HTTP metrics URL.
   */
  static EtcdServer tls(TestPki.Identity server, Path trustedCa, TestPki.Identity testClient) {
    return new EtcdServer(server, testClient, trustedCa);
  }

  /** Skips the tests, with the reason, when etcd is not installed. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return installed()
        ? ConditionEvaluationResult.enabled("etcd is installed at " + ETCD)
        : ConditionEvaluationResult.disabled(
            "etcd is not installed at "
                + ETCD
                + ": apt-get install etcd-server, or run scripts/test");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Returns true if etcd is installed where this class looks for it. */
  public static boolean installed() {
    return Files.isExecutable(ETCD);
  }

  /**
   * Starts etcd (the first time: on fresh ports with a fresh data directory) and waits until it
   * reports healthy.
   */
  public void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    if (dir == null) {
      dir = Files.createTempDirectory("jflannel-etcd-");
      int[] ports = freePorts();
      clientPort = ports[0];
      peerPort = ports[1];
      metricsPort = ports[2];
    }
    String client = endpoint();
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> command =
        new ArrayList<>(
            List.of(
                ETCD.toString(),
                "--name=jflannel-test",
                "--data-dir=" + dir.resolve("data"),
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=jflannel-test=" + peer,
                "--listen-metrics-urls=" + metricsUrl(),
                "--logger=zap",
                "--log-level=error"));
    if (serverTls != null) {
      command.addAll(
          List.of(
              "--cert-file=" + serverTls.cert(),
              "--key-file=" + serverTls.key(),
              "--client-cert-auth",
              "--trusted-ca-file=" + trustedCa));
    }
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
            .start();
    awaitHealthy(Duration.ofSeconds(20));
  }

  /** Stops etcd (SIGTERM to its PID, then SIGKILL after 10 s); the data directory stays. */
  public void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  /** Returns the client URL, e.g. {@code http://127.0.0.1:41234} ({@code https} with TLS). */
  public String endpoint() {
    return (serverTls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  private String metricsUrl() {
    return "http://127.0.0.1:" + metricsPort;
  }

  /** Returns the client port. */
  public int clientPort() {
    return clientPort;
  }

  /** Returns the PID of the running etcd. */
  public long pid() {
    return process.pid();
  }

  /** Returns a jetcd client for the test's own reads and writes, closed with this server. */
  public Client client() {
    if (client == null) {
      ClientBuilder builder = Client.builder().endpoints(endpoint());
      if (clientTls != null) {
        try {
          builder.sslContext(
              ssl ->
                  ssl.keyManager(clientTls.cert().toFile(), clientTls.key().toFile())
                      .trustManager(trustedCa.toFile()));
        } catch (SSLException e) {
          throw new IllegalStateException("the test client's TLS files: " + e.getMessage(), e);
        }
      }
      client = builder.build();
    }
    return client;
  }

  /** Returns manager options pointing at this etcd, with the given key prefix. */
  public EtcdOptions options(String prefix) {
    return EtcdOptions.defaults().withEndpoints(List.of(endpoint())).withPrefix(prefix);
  }

  /** Stops etcd, closes the test client and deletes the data directory. */
  @Override
  public void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      dir = null;
    }
  }

  private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(metricsUrl() + "/health"))
            .timeout(Duration.ofSeconds(1))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("etcd exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("true")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(50); // polling a process we do not control; not a test wait
    }
    throw new IOException("etcd did not become healthy within " + timeout + ": " + logTail());
  }

  private String logTail() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("etcd.log"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static int[] freePorts() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (ServerSocket a = new ServerSocket(0, 1, loopback);
        ServerSocket b = new ServerSocket(0, 1, loopback);
        ServerSocket c = new ServerSocket(0, 1, loopback)) {
      return new int[] {a.getLocalPort(), b.getLocalPort(), c.getLocalPort()};
    }
  }
}
