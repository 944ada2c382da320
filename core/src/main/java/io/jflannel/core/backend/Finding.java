package io.jflannel.core.backend;

import java.util.Objects;

/**
 * One result of {@code flanneld diagnose}: a thing checked, whether it is right, and, when it is
 * not, what to do about it.
 *
 * @param severity {@link Severity#OK}, or how bad it is
 * @param check what kind of check, e.g. {@code "route"}, {@code "device"}, {@code "mtu"}
 * @param subject what was checked, e.g. {@code "peer 10.244.2.0/24"}, {@code "flannel.1"}
 * @param detail what was found, one line
 * @param fix what to do, one line; empty for {@link Severity#OK}
 */
public record Finding(Severity severity, String check, String subject, String detail, String fix) {

  /** How a finding counts. */
  public enum Severity {
    /** Right. */
    OK,
    /** Worth knowing, does not break pod traffic by itself; does not fail diagnose. */
    WARNING,
    /** Breaks or will break pod traffic; diagnose exits 1. */
    PROBLEM
  }

  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(detail, "detail");
    fix = fix == null ? "" : fix;
  }

  /** Something checked and found right. */
  public static Finding ok(String check, String subject, String detail) {
    return new Finding(Severity.OK, check, subject, detail, "");
  }

  /** Something wrong that breaks pod traffic, and its fix. */
  public static Finding problem(String check, String subject, String detail, String fix) {
    return new Finding(Severity.PROBLEM, check, subject, detail, fix);
  }

  /** Something worth knowing, and what to do about it. */
  public static Finding warning(String check, String subject, String detail, String fix) {
    return new Finding(Severity.WARNING, check, subject, detail, fix);
  }
}
