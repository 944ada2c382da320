package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.jflannel.subnet.CipherOrder;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * fabric8's JDK HTTP client, for a client fabric8 configures with a proxy and for {@code
 * FLANNELD_KUBE_HTTP=jdk} (otherwise flanneld's own transport serves fabric8: {@link
 * io.jflannel.subnet.http.SocketHttpClients}), configured exactly as fabric8 configures it (TLS
 * context, protocols, timeouts, proxy), except that the cipher suites are offered ChaCha20-Poly1305
 * first ({@link CipherOrder}): the same suites, in an order under which a C1-only JVM decrypts the
 * Node list in about a fifth of the CPU (the client's thread, which also parses HTTP, in about
 * half).
 *
 * <p>Mechanism: fabric8 builds its {@link HttpClient} through a {@link HttpClient.Builder} this
 * factory supplies; the one supplied here passes every setting on and remembers the TLS context and
 * parameters, so that at {@code build()} it can set parameters with fabric8's protocols and that
 * context's own default suites, reordered. Without TLS settings (plain http) nothing is added.
 * Stateless; each builder is used by one thread.
 */
final class KubeHttpClients extends JdkHttpClientFactory {

  @Override
  protected HttpClient.Builder createNewHttpClientBuilder() {
    return new ChachaFirst(super.createNewHttpClientBuilder());
  }

  /** Passes everything on to the JDK's builder; reorders the cipher suites at build time. */
  static final class ChachaFirst implements HttpClient.Builder {
    private final HttpClient.Builder next;
    private SSLContext context;
    private SSLParameters parameters;

    ChachaFirst(HttpClient.Builder next) {
      this.next = next;
    }

    @Override
    public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
      next.cookieHandler(cookieHandler);
      return this;
    }

    @Override
    public HttpClient.Builder connectTimeout(Duration duration) {
      next.connectTimeout(duration);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(SSLContext sslContext) {
      next.sslContext(sslContext);
      this.context = sslContext;
      return this;
    }

    @Override
    public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
      next.sslParameters(sslParameters);
      this.parameters = sslParameters;
      return this;
    }

    @Override
    public HttpClient.Builder executor(Executor executor) {
      next.executor(executor);
      return this;
    }

    @Override
    public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
      next.followRedirects(policy);
      return this;
    }

    @Override
    public HttpClient.Builder version(HttpClient.Version version) {
      next.version(version);
      return this;
    }

    @Override
    public HttpClient.Builder priority(int priority) {
      next.priority(priority);
      return this;
    }

    @Override
    public HttpClient.Builder proxy(ProxySelector proxySelector) {
      next.proxy(proxySelector);
      return this;
    }

    @Override
    public HttpClient.Builder authenticator(Authenticator authenticator) {
      next.authenticator(authenticator);
      return this;
    }

    @Override
    public HttpClient build() {
      SSLParameters ordered = ordered(context, parameters);
      if (ordered != null) {
        next.sslParameters(ordered);
      }
      return next.build();
    }

    /**
     * The parameters to build with: {@code given}'s protocols (fabric8's {@code tlsVersions}; it
     * sets nothing else) and cipher suites, else the context's default suites, ChaCha20 first; null
     * when there is neither a context nor suites (the JDK's defaults then apply).
     */
    static SSLParameters ordered(SSLContext context, SSLParameters given) {
      String[] suites = given == null ? null : given.getCipherSuites();
      if (suites == null && context != null) {
        suites = context.getDefaultSSLParameters().getCipherSuites();
      }
      if (suites == null) {
        return null;
      }
      SSLParameters copy = new SSLParameters(CipherOrder.chachaFirst(suites));
      if (given != null) {
        copy.setProtocols(given.getProtocols()); // fabric8 sets only the protocols
      }
      return copy;
    }
  }
}
