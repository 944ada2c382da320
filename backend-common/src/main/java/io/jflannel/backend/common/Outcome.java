package io.jflannel.backend.common;

/**
 * What became of one {@link Change}: done ({@code errno == 0}) or refused with the kernel's errno.
 *
 * @param change the change
 * @param errno 0, or the errno the kernel answered with
 * @param error the failure as a readable line naming the request ({@code "RTM_NEWROUTE
 *     10.244.2.0/24 via 192.168.1.12 dev eth0 failed: Network is unreachable (ENETUNREACH)"}); null
 *     when done
 */
public record Outcome(Change change, int errno, String error) {

  /** Whether the kernel carried the change out. */
  public boolean ok() {
    return errno == 0;
  }
}
