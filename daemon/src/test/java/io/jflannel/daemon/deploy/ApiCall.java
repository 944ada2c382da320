package io.jflannel.daemon.deploy;

import java.util.List;
import java.util.Set;

/**
 * One request to the Kubernetes API as RBAC sees it: the resource (with its subresource, e.g.
 * {@code nodes/status}), the API group and the verb, derived from the HTTP method and path as the
 * API server's request-info resolver does.
 *
 * @param group the API group, {@code ""} for the core group
 * @param resource the resource, {@code nodes} or {@code nodes/status}
 * @param verb get, list, watch, create, update, patch, delete or deletecollection
 */
record ApiCall(String group, String resource, String verb) {

  private static final Set<String> WATCH_TRUE = Set.of("true", "1");

  /**
   * Maps {@code method} and {@code path} (with its query) to the call it authorizes.
   *
   * @throws IllegalArgumentException for a path that is not a resource request (discovery, {@code
   *     /version}), which a ClusterRole does not govern and jflannel does not make
   */
  static ApiCall of(String method, String path) {
    String query = "";
    int q = path.indexOf('?');
    if (q >= 0) {
      query = path.substring(q + 1);
      path = path.substring(0, q);
    }
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
    String group;
    List<String> rest;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      throw new IllegalArgumentException("not a resource request: " + method + " " + path);
    }
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      rest = rest.subList(2, rest.size()); // namespaced: namespaces/<ns>/<resource>/...
    }
    String resource = rest.get(0);
    boolean named = rest.size() >= 2;
    if (rest.size() >= 3) {
      resource += "/" + rest.get(2);
    }
    boolean watch =
        List.of(query.split("&")).stream()
            .anyMatch(p -> p.startsWith("watch=") && WATCH_TRUE.contains(p.substring(6)));
    String verb =
        switch (method) {
          case "GET" -> named ? "get" : watch ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException("unexpected method " + method);
        };
    return new ApiCall(group, resource, verb);
  }

  @Override
  public String toString() {
    return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
  }
}
