#!/usr/bin/env bash
# Install the Keycloak server distribution into the ModelHub cache (idempotent).
#
#   scripts/install/keycloak.sh          -> last line of output: the Keycloak home directory
#
# The zip comes from Maven Central (org.keycloak:keycloak-quarkus-dist) through Maven, is unpacked
# into a temporary directory and moved into place in one rename, so an interrupted run leaves nothing
# half-installed. The JDK that runs it is recorded in <home>/modelhub-java-home for the test harness.
# Keycloak 26.4 supports Java 21 and 17 (17 deprecated); Java 25 support only arrived in 26.6.
set -euo pipefail

KC_VERSION="${KEYCLOAK_VERSION:-26.4.7}"
CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
KC_HOME="$CACHE/keycloak-$KC_VERSION"

log() { echo "[keycloak.sh] $*" >&2; }

pick_java_home() {
    # Explicit override first, then the best supported JDK found on the machine: 21, then 17.
    if [[ -n "${MODELHUB_KEYCLOAK_JAVA_HOME:-}" ]]; then echo "$MODELHUB_KEYCLOAK_JAVA_HOME"; return; fi
    local candidate
    for candidate in /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/temurin-21-* \
                     /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-17-*; do
        if [[ -x "$candidate/bin/java" ]]; then echo "$candidate"; return; fi
    done
}

JAVA_HOME_KC="$(pick_java_home || true)"
if [[ -z "$JAVA_HOME_KC" ]]; then
    # Debian bookworm ships 17 only; a newer release may have 21.
    log "no JDK 21/17 found, installing one with apt-get"
    apt-get update -qq
    if apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-21-jre-headless >&2
    else
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >&2
    fi
    JAVA_HOME_KC="$(pick_java_home)"
fi

if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch Keycloak from Maven Central"; exit 1; }
    command -v unzip >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >&2
    mkdir -p "$CACHE"
    tmp="$(mktemp -d "$CACHE/.keycloak-install.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    log "downloading org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip"
    JAVA_HOME="$JAVA_HOME_KC" mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
        "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
        "-DoutputDirectory=$tmp" >&2
    unzip -q "$tmp/keycloak-quarkus-dist-$KC_VERSION.zip" -d "$tmp/unpacked"
    # The zip holds one top-level folder, keycloak-<version>.
    mv "$tmp/unpacked/keycloak-$KC_VERSION" "$tmp/home"
    echo "$JAVA_HOME_KC" > "$tmp/home/modelhub-java-home"
    if ! mv -T "$tmp/home" "$KC_HOME" 2>/dev/null; then
        [[ -x "$KC_HOME/bin/kc.sh" ]] || { log "could not move Keycloak into $KC_HOME"; exit 1; }
        log "another run installed $KC_HOME first"
    fi
fi
echo "$JAVA_HOME_KC" > "$KC_HOME/modelhub-java-home"
log "Java: $JAVA_HOME_KC ($("$JAVA_HOME_KC/bin/java" -version 2>&1 | head -1))"
echo "$KC_HOME"
