# syntax=docker/dockerfile:1
# Claude Bridge image (docs/deploy.md). Three stages, all on glibc bases: the claude CLI's installer picks a musl
# binary on Alpine, so no Alpine anywhere. Checked statically by src/test/java/dev/claudebridge/deploy/DockerfileTest.

# 1. The jar, built with the Maven wrapper on the runtime's JDK (25); the classes still target the pom's
#    maven.compiler.release (21). -Dcli.skip=true: the build would otherwise install the claude CLI into tools/ (pom.xml,
#    profile install-cli); the image's CLI comes from the cli stage below, and this stage has neither tools/ nor npm.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp package -DskipTests -Dcli.skip=true \
 && cp target/claude-bridge.jar /claude-bridge.jar

# 2. The claude CLI, installed from tools/ with `npm ci`: exactly the version tools/package-lock.json pins, the same
#    one the tests run. Its postinstall copies the native binary over bin/claude.exe (a hard link); the platform
#    packages are then removed so the image does not carry the native binary (about 400 MB) twice.
FROM node:22-bookworm-slim AS cli
WORKDIR /tools
COPY tools/package.json tools/package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && pinned="$(node -p 'require("./package-lock.json").packages["node_modules/@anthropic-ai/claude-code"].version')" \
 && actual="$(node_modules/.bin/claude --version)" \
 && test "$actual" = "$pinned (Claude Code)" \
 && rm -rf node_modules/@anthropic-ai/claude-code-* \
 && test "$(node_modules/.bin/claude --version)" = "$actual"

# 3. Runtime: the JRE the start-up figures were measured on (Java 25, BENCHMARKS.md), tini as PID 1 (reaps the CLIs'
#    orphaned grandchildren), a non-root user, the data directory on a volume. /etc/claude-code, where the CLI always
#    reads managed settings (hooks and allow rules included, whatever --setting-sources says), exists and belongs to
#    root, unwritable for the bot's user: an agent's tool cannot plant a managed-settings.json there. Running the
#    container as root undoes this.
FROM eclipse-temurin:25-jre AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini curl git \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 bridge \
 && useradd --uid 10001 --gid 10001 --home-dir /home/bridge --create-home --shell /usr/sbin/nologin bridge \
 && mkdir -p /data/claude /data/workspace \
 && chown -R 10001:10001 /data \
 && install -d -o root -g root -m 0755 /etc/claude-code

COPY --from=cli /tools/node_modules/ /app/tools/node_modules/
COPY --from=build /claude-bridge.jar /app/claude-bridge.jar
COPY LICENSE NOTICE /app/

# The AOT cache (JEP 483/514/515): a training run of the bot's start-up (--train: twice the real start-up, with a
# made-up configuration in a temporary directory, against a stand-in Discord and Mattermost on 127.0.0.1, so no
# network and no secret), recorded into /app/claude-bridge.aot by this very JRE and jar, which the cache must match. The ENTRYPOINT
# maps it: the classes start-up needs come loaded and linked (BENCHMARKS.md, "Start-up under 2 s"). Same flags as the
# ENTRYPOINT; a cache that does not fit is ignored with a warning, so the bot still starts.
RUN CLAUDE_BIN=/app/tools/node_modules/.bin/claude \
    java -Xmx384m -XX:+ExitOnOutOfMemoryError -XX:AOTCacheOutput=/app/claude-bridge.aot \
         -jar /app/claude-bridge.jar --train \
 && test -s /app/claude-bridge.aot

# Settings of docs/architecture.md §5 that belong to the image; everything else comes from the deployment.
ENV DATA_DIR=/data \
    CLAUDE_CONFIG_DIR=/data/claude \
    WORKSPACE_ROOT=/data/workspace \
    CLAUDE_BIN=/app/tools/node_modules/.bin/claude \
    OPS_PORT=8081 \
    PATH=/app/tools/node_modules/.bin:$PATH

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8081

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${OPS_PORT:-8081}/healthz" || exit 1

# Heap cap: the container's memory is mostly the CLIs' (about 160 MB each, MAX_LIVE_CLIS of them); the JVM's budget is
# twice the heap (metaspace, code cache, threads, direct buffers), which k8s/statefulset.yaml's limit accounts for.
# -XX:AOTCache: the cache the training step above made.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-Xmx384m", "-XX:+ExitOnOutOfMemoryError", "-XX:AOTCache=/app/claude-bridge.aot", "-jar", "/app/claude-bridge.jar"]
