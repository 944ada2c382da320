package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesClientBuilderCustomizer;
import io.jflannel.subnet.http.SocketHttpClient;

/**
 * The mock API server's client on the transport flanneld uses ({@link
 * KubeSubnetManager#httpClients}: {@link SocketHttpClient}), so that the manager's tests run
 * requests, the paged list and the watch's WebSocket through it.
 */
public class OnSockets extends KubernetesClientBuilderCustomizer {

  @Override
  public void accept(KubernetesClientBuilder builder) {
    builder.withHttpClientFactory(KubeSubnetManager.httpClients(null));
  }
}
