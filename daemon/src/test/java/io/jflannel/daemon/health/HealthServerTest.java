package io.jflannel.daemon.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile Verdict live = new Verdict(true, "ok", List.of("worker threads running"));
  private volatile Verdict ready = new Verdict(false, "not ready", List.of("no lease yet"));
  private HealthServer server;

  @BeforeEach
  void start() throws IOException {
    server = start(0);
  }

  private HealthServer start(int port) throws IOException {
    return HealthServer.start("127.0.0.1", port, () -> live, () -> ready);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> request(String method, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return request("GET", path);
  }

  @Test
  void healthzAnswersItsVerdictAsJson() throws Exception {
    HttpResponse<String> r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo("{\"status\":\"ok\",\"reasons\":[\"worker threads running\"]}\n");
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");

    live = new Verdict(false, "failing", List.of("thread reconcile died: java.lang.Error: x"));
    HttpResponse<String> failing = get("/healthz");
    assertThat(failing.statusCode()).isEqualTo(503);
    assertThat(failing.body())
        .isEqualTo(
            "{\"status\":\"failing\",\"reasons\":[\"thread reconcile died: java.lang.Error: x\"]}\n");
  }

  @Test
  void readyzAsksItsSupplierOnEveryRequest() throws Exception {
    HttpResponse<String> before = get("/readyz");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body())
        .isEqualTo("{\"status\":\"not ready\",\"reasons\":[\"no lease yet\"]}\n");

    ready = new Verdict(true, "ready", List.of("lease 10.244.1.0/24 held", "a \"quoted\" word"));

    HttpResponse<String> after = get("/readyz");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body())
        .isEqualTo(
            "{\"status\":\"ready\",\"reasons\":[\"lease 10.244.1.0/24 held\",\"a \\\"quoted\\\" word\"]}\n");
  }

  @Test
  void headGetsTheStatusWithoutABody() throws Exception {
    HttpResponse<String> r = request("HEAD", "/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void unknownPathsAndSubPathsAre404() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/healthzz").statusCode()).isEqualTo(404);
    assertThat(get("/healthz/extra").statusCode()).isEqualTo(404);
  }

  @Test
  void moreHandlersCanBeAdded() throws Exception {
    server.addHandler("/metrics", ex -> HealthServer.reply(ex, 200, "flannel_up 1\n"));
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("flannel_up 1\n");
  }

  @Test
  void closeFreesThePort() throws Exception {
    int port = server.address().getPort();
    server.close();
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
    server = start(port);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void portZeroFromTheFlagsMeansNoServer() throws IOException {
    assertThat(HealthServer.startIfEnabled("127.0.0.1", 0, () -> live, () -> ready)).isEmpty();
  }

  @Test
  void aPortInUseIsAnErrorNamingTheAddressAndTheFlags() {
    int port = server.address().getPort();
    assertThatThrownBy(() -> start(port))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + " for /healthz: ")
        .hasMessageEndingWith("; choose another --healthz-ip/--healthz-port");
  }
}
