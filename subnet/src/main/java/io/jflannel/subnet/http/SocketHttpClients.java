package io.jflannel.subnet.http;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * fabric8's HTTP client SPI on plain blocking sockets ({@link SocketHttpClient}): HTTP/1.1 with
 * TLS, the WebSocket that fabric8's watches use, and nothing else. fabric8 keeps everything above
 * the wire as with its own clients: requests, authentication and token refresh (its interceptors),
 * retries, watches, the JSON mapping.
 *
 * <p>Why: the JDK's {@code java.net.http} client, which fabric8 uses by default, loads about 460
 * classes of its own and runs its HTTP/2 and TLS work asynchronously on its own threads; flanneld
 * makes a handful of requests and holds one watch (BENCHMARKS.md, "fabric8 on sockets").
 *
 * <p>A client that fabric8 configures with a proxy (its {@code HTTPS_PROXY} and {@code NO_PROXY}
 * handling decides) is built by {@code proxied} instead, with the same settings: this transport
 * does not speak to proxies.
 *
 * <p>Stateless and thread-safe.
 */
public final class SocketHttpClients implements HttpClient.Factory {

  private final Supplier<HttpClient.Factory> proxied;

  /**
   * @param proxied the factory for clients that must go through a proxy
   */
  public SocketHttpClients(Supplier<HttpClient.Factory> proxied) {
    this.proxied = proxied;
  }

  @Override
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** fabric8's builder state; {@link #build} makes a socket client, or a proxied one. */
  public static final class Builder
      extends StandardHttpClientBuilder<SocketHttpClient, SocketHttpClients, Builder> {

    Builder(SocketHttpClients factory) {
      super(factory);
    }

    @Override
    protected Builder newInstance(SocketHttpClients factory) {
      return new Builder(factory);
    }

    @Override
    public HttpClient build() {
      if (client != null) {
        return new SocketHttpClient(this, client); // derived: shares the parent's connections
      }
      if (proxyAddress != null) {
        return proxied(clientFactory.proxied.get().newBuilder());
      }
      return new SocketHttpClient(this, null);
    }

    /** Builds a client of {@code to} with every setting of this builder. */
    private HttpClient proxied(HttpClient.Builder to) {
      if (connectTimeout != null) {
        to.connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      interceptors.forEach(to::addOrReplaceInterceptor);
      if (keyManagers != null || trustManagers != null) {
        to.sslContext(keyManagers, trustManagers);
      }
      if (followRedirects) {
        to.followAllRedirects();
      }
      to.proxyAddress(proxyAddress);
      if (proxyType != null) {
        to.proxyType(proxyType);
      }
      if (proxyAuthorization != null) {
        to.proxyAuthorization(proxyAuthorization);
      }
      if (tlsVersions != null) {
        to.tlsVersions(tlsVersions);
      }
      if (tlsServerName != null) {
        to.tlsServerName(tlsServerName);
      }
      if (preferHttp11) {
        to.preferHttp11();
      }
      if (authenticatorNone) {
        to.authenticatorNone();
      }
      tags.values().forEach(to::tag);
      return to.build();
    }
  }
}
