package io.jflannel.e2e;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;

/**
 * fabric8's CRUD mock Kubernetes API server (plain HTTP) as a process of its own, so that it can
 * run inside the switch namespace where the daemons reach it: {@code ip netns exec <switch> java
 * -cp <test classpath> io.jflannel.e2e.MockApiServerMain 192.168.100.1 8080}. {@link KubeApiServer}
 * starts and stops it.
 *
 * <p>It is the server {@code @EnableKubernetesMockClient(crud = true)} gives a unit test (a {@link
 * KubernetesMixedDispatcher}: the root and {@code /version} answers, then CRUD with watches), bound
 * to the given address. Once it listens it prints one line starting with {@value #READY} on
 * standard output; it then runs until it is killed (SIGTERM shuts the server down). fabric8 logs
 * every request at INFO through java.util.logging on standard error, which the harness keeps as the
 * control plane's log.
 */
public final class MockApiServerMain {
  /** The start of the line printed once the server accepts connections. */
  static final String READY = "mock API server listening on ";

  private MockApiServerMain() {}

  /**
   * Starts the server on {@code args[0]} (address) and {@code args[1]} (port) and blocks until the
   * process is killed.
   *
   * @throws Exception if the address is not one or the port cannot be bound
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: MockApiServerMain <address> <port>");
      System.exit(2);
    }
    InetAddress address = InetAddress.getByName(args[0]);
    int port = Integer.parseInt(args[1]);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(address, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "mock-api-server-stop"));
    System.out.println(READY + "http://" + address.getHostAddress() + ":" + server.getPort());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
