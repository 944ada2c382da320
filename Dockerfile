# syntax=docker/dockerfile:1.7
#
# jflannel's flanneld image. From the repository root:
#
#   docker build -t ghcr.io/jflannel/jflannel:v0.1.0 .
#
# ghcr.io/jflannel is a placeholder registry (see deploy/kube-flannel.yml): push where your cluster
# pulls from. Two stages: Maven builds the daemon's distribution (bin/flanneld launcher + lib/*.jar),
# a glibc-based JRE runs it. glibc, not musl: jnr-ffi's native stub (jffi) is built for glibc and
# does not load on Alpine. For reproducible builds pin both images by digest as well as by tag,
# e.g. --build-arg JRE_IMAGE=eclipse-temurin:17.0.15_6-jre-jammy@sha256:<digest> (the digest is
# what `docker buildx imagetools inspect <image>:<tag>` prints).

ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17.0.15_6-jre-jammy

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
# Builds the daemon and the modules it needs, tests skipped (CI runs them). The local Maven
# repository is a BuildKit cache, so a rebuild downloads nothing it already has.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -Djflannel.cds.skip=true package -pl daemon -am

FROM ${JRE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="jflannel" \
      org.opencontainers.image.description="flanneld, reimplemented in Java: a drop-in node agent for flannel overlays" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# iptables (its legacy and nft variants) and nftables: the only things flanneld execs are
# `iptables-restore --noflush`/`iptables-save` and, with "EnableNFTables": true, `nft`. iproute2
# is only for operators debugging inside the pod.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables nftables iproute2 \
 && rm -rf /var/lib/apt/lists/*

# Our rules must land in the same iptables backend (legacy or nft) as kube-proxy's on the host. The
# kubernetes-sigs wrapper decides at first use, from which backend holds rules, and switches the
# alternatives; upstream flannel's image and kube-proxy's do the same. Pin a commit instead of the
# tag, and add --checksum=sha256:<...>, for reproducible builds.
ADD --chmod=0755 https://raw.githubusercontent.com/kubernetes-sigs/iptables-wrappers/v2/iptables-wrapper-installer.sh /iptables-wrapper-installer.sh
RUN /iptables-wrapper-installer.sh --no-sanity-check

COPY --from=build /src/daemon/target/flanneld /opt/flanneld

# Class-data sharing: the archive must be dumped by the JVM that runs it, at the path it runs from,
# so it is made here, from the class list the distribution carries (lib/flanneld.classlist). The
# launcher maps lib/flanneld.jsa when present: start-up about twice as fast (BENCHMARKS.md).
RUN java -Xshare:dump -XX:SharedClassListFile=/opt/flanneld/lib/flanneld.classlist \
      -XX:SharedArchiveFile=/opt/flanneld/lib/flanneld.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
      -cp '/opt/flanneld/lib/*' \
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
