package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private HealthServer server;

  @BeforeEach
  void start() throws IOException {
    server = HealthServer.start("127.0.0.1", 0);
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
  void healthzAnswersThatFlanneldIsRunning() throws Exception {
    HttpResponse<String> r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("flanneld is running");
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
  }

  @Test
  void readyzIs503UntilMarkedReadyThen200() throws Exception {
    HttpResponse<String> before = get("/readyz");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).isEqualTo("flanneld is not ready yet");
    assertThat(server.isReady()).isFalse();

    server.markReady();

    HttpResponse<String> after = get("/readyz");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("flanneld is ready");
    assertThat(server.isReady()).isTrue();
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
    server = HealthServer.start("127.0.0.1", port);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void portZeroFromTheFlagsMeansNoServer() throws IOException {
    assertThat(HealthServer.startIfEnabled("127.0.0.1", 0)).isEmpty();
  }

  @Test
  void aPortInUseIsAnErrorNamingTheAddressAndTheFlags() {
    int port = server.address().getPort();
    assertThatThrownBy(() -> HealthServer.start("127.0.0.1", port))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + " for /healthz: ")
        .hasMessageEndingWith("; choose another --healthz-ip/--healthz-port");
  }
}
