# syntax=docker/dockerfile:1.7
#
# jflannel's flanneld image. From the repository root:
#
#   docker build -t ghcr.io/jflannel/jflannel:v0.1.0 .
#
# or, on a Debian machine without a registry in reach, `sudo scripts/image`, which makes the two
# base images below locally (debootstrap + podman import) and passes them as MAVEN_IMAGE and
# BASE_IMAGE; this file is the same for both.
#
# ghcr.io/jflannel is a placeholder registry (see deploy/kube-flannel.yml): push where your cluster
# pulls from. Two stages: a JDK 17 with Maven builds the daemon's distribution (bin/flanneld
# launcher + lib/*.jar) and, with jlink, a Java runtime of only the modules flanneld uses; a
# glibc-based Debian runs it. glibc, not musl: jnr-ffi's native stub (jffi) is built for glibc and
# does not load on Alpine. For reproducible builds pin both images by digest as well as by tag,
# e.g. --build-arg BASE_IMAGE=debian:bookworm-slim@sha256:<digest> (the digest is what `docker
# buildx imagetools inspect <image>:<tag>` prints).

# The build stage: any JDK 17 image with Maven, jlink and the JDK's jmods (Temurin's JDK images
# have them; so has Debian bookworm's openjdk-17-jdk-headless; later Debian releases split them into
# openjdk-17-jmods).
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17
# The runtime stage's base: Debian (apt-get, glibc); the Java runtime comes from the build stage.
ARG BASE_IMAGE=debian:bookworm-slim
# github: the kubernetes-sigs iptables wrapper (below), fetched from raw.githubusercontent.com at
# build time. none: no wrapper, iptables stays Debian's default, iptables-nft (for hosts whose
# kube-proxy uses the nft backend, or runs none), for builds that cannot reach GitHub.
ARG IPTABLES_WRAPPER=github

FROM ${MAVEN_IMAGE} AS build
# Marks this stage's cached layers, so scripts/image can prune those of earlier builds.
LABEL io.jflannel.stage=build
WORKDIR /src
COPY . .
# Builds the daemon and the modules it needs, tests skipped (CI runs them). The local Maven
# repository is a build cache (BuildKit's, or buildah's), so a rebuild downloads nothing it
# already has.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -Djflannel.cds.skip=true package -pl daemon -am
# The Java runtime: only the modules flanneld loads (its class lists, lib/flanneld-*.classlist, mapped
# to modules) plus what it reaches rarely: java.management and jdk.management (HeapGrowth, for a
# batch of 10,000 leases or more). java.net.http is kube mode's HTTP client behind a proxy
# (fabric8's JDK client; without a proxy flanneld's own, on sockets); jdk.crypto.ec is TLS to the
# API server or etcd; jdk.httpserver the health port; jdk.net the watches' TCP keepalive timings;
# jdk.unsupported is jnr-ffi's. Not java.sql nor
# java.desktop, which jdeps names: picocli and Jackson only probe for them. BENCHMARKS.md, "Image",
# has the sizes and RSS of this runtime against Debian's full JRE.
ARG JLINK_MODULES=java.base,java.logging,java.management,java.net.http,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.net,jdk.unsupported
# --strip-java-debug-attributes, not --strip-debug: on Linux that also strips native symbols with
# objcopy, which JDK images seldom have (and Debian's and Temurin's libraries come stripped).
RUN jlink --add-modules "${JLINK_MODULES}" --strip-java-debug-attributes --no-man-pages \
      --no-header-files --compress=2 --output /opt/java

# Two ways to the runtime stage's base; only the one IPTABLES_WRAPPER names is built.
FROM ${BASE_IMAGE} AS wrapper-github
# Our rules must land in the same iptables backend (legacy or nft) as kube-proxy's on the host. The
# kubernetes-sigs wrapper decides at first use, from which backend holds rules, and switches the
# alternatives; upstream flannel's image and kube-proxy's do the same. Pin a commit instead of the
# tag, and add --checksum=sha256:<...>, for reproducible builds.
ADD --chmod=0755 https://raw.githubusercontent.com/kubernetes-sigs/iptables-wrappers/v2/iptables-wrapper-installer.sh /iptables-wrapper-installer.sh

FROM ${BASE_IMAGE} AS wrapper-none

FROM wrapper-${IPTABLES_WRAPPER}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="jflannel" \
      org.opencontainers.image.description="flanneld, reimplemented in Java: a drop-in node agent for flannel overlays" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      io.jflannel.stage=runtime

# iptables (its legacy and nft variants) and nftables: the only things flanneld execs are
# `iptables-restore --noflush`/`iptables-save` and, with "EnableNFTables": true, `nft`. iproute2
# is only for operators debugging inside the pod.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables nftables iproute2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
RUN if [ -e /iptables-wrapper-installer.sh ]; then \
      /iptables-wrapper-installer.sh --no-sanity-check && rm /iptables-wrapper-installer.sh; \
    fi

COPY --from=build /opt/java /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY --from=build /src/daemon/target/flanneld /opt/flanneld

# Class-data sharing: an archive must be dumped by the JVM that runs it, at the path it runs from,
# so they are made here, one per mode, from the class lists the distribution carries
# (lib/flanneld-{etcd,kube}.classlist, by its bin/flanneld-dump-cds). The launcher maps
# lib/flanneld-<mode>.jsa when present: start-up about twice as fast (BENCHMARKS.md).
RUN /opt/flanneld/bin/flanneld-dump-cds \
 && /opt/flanneld/bin/flanneld --version

# Upstream's path, which kube-flannel.yml runs: /opt/bin/flanneld. A wrapper that execs the launcher
# (same PID, so SIGTERM still reaches the JVM); a symlink would do as well (the launcher resolves it).
RUN mkdir -p /opt/bin \
 && printf '#!/bin/sh\nexec /opt/flanneld/bin/flanneld "$@"\n' > /opt/bin/flanneld \
 && chmod 0755 /opt/bin/flanneld

# jffi extracts its native stub into this directory at start and unlinks it once loaded, so it must
# be writable (with readOnlyRootFilesystem, mount an emptyDir at /tmp). Setting JAVA_OPTS in the pod
# replaces this value: keep the flag when you do.
ENV JAVA_OPTS=-Djffi.extract.dir=/tmp

# Exec form: the launcher execs java, which is PID 1 and receives SIGTERM itself (flanneld stops its
# watchers and exits 0, leaving routes and rules in place for its successor).
ENTRYPOINT ["/opt/flanneld/bin/flanneld"]
