#!/usr/bin/env bash
# Copies the Kafka broker jars (listed in scripts/kafka/pom.xml) from Maven Central
# into .cache/kafka/libs. Skips the download when the cache was filled from the same pom.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
LIBS="$ROOT/.cache/kafka/libs"
MARKER="$LIBS/.pom-sha256"

command -v mvn >/dev/null || { echo "fetch.sh: mvn (Maven) is not installed" >&2; exit 1; }
command -v java >/dev/null || { echo "fetch.sh: java is not installed" >&2; exit 1; }

want="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$want" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
  exit 0 # already fetched from this exact pom
fi

# Download into a temporary dir and swap it in, so an interrupted fetch never
# leaves a half-filled libs dir that looks complete.
tmp="$ROOT/.cache/kafka/libs.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "fetch.sh: downloading Kafka jars with Maven into $LIBS" >&2
# (Maven 3.8 prints colour codes even with -B: strip them.)
mvn -q -B -f "$POM" dependency:copy-dependencies \
  -DoutputDirectory="$tmp" -DincludeScope=runtime -Dmdep.useBaseVersion=true 2>&1 |
  sed 's/\x1b\[[0-9;]*m//g' >&2
echo "$want" >"$tmp/.pom-sha256"
rm -rf "$LIBS"
mv "$tmp" "$LIBS"
trap - EXIT
echo "fetch.sh: $(find "$LIBS" -name "*.jar" | wc -l) jars in $LIBS" >&2
