#!/usr/bin/env bash
# The jars Spark needs to read and write s3a:// (the object store's S3 server) directly: hadoop-aws
# matching the Hadoop client bundled in pyspark, the AWS SDK v2 bundle it was built against, and the
# S3 analytics accelerator it links. Cached in $MODELHUB_CACHE/spark-jars (~690 MB, mostly the SDK
# bundle); idempotent. Prints the directory on its last stdout line. Local-master jobs (embedded
# mode, most tests) stage files instead and need none of this (docs/spark.md).
set -euo pipefail

CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
REPO="${MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}"
PYTHON="${PYTHON:-python}"

# Hadoop version of the pyspark in the app environment (jars/hadoop-client-api-<version>.jar).
spark_home="$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
hadoop_jar="$(ls "$spark_home"/jars/hadoop-client-api-*.jar | head -n 1)"
HADOOP_VERSION="${HADOOP_VERSION:-$(basename "$hadoop_jar" .jar | sed 's/^hadoop-client-api-//')}"

# What hadoop-project/<version>'s pom pins (aws-java-sdk-v2.version, analyticsaccelerator version).
case "$HADOOP_VERSION" in
  3.5.0) AWS_SDK_VERSION="${AWS_SDK_VERSION:-2.35.4}"; ACCEL_VERSION="${ACCEL_VERSION:-1.3.1}" ;;
  *) [[ -n "${AWS_SDK_VERSION:-}" && -n "${ACCEL_VERSION:-}" ]] || {
       echo "spark.sh: unknown Hadoop $HADOOP_VERSION: set AWS_SDK_VERSION and ACCEL_VERSION" >&2; exit 1; } ;;
esac

DEST="$CACHE/spark-jars/hadoop-$HADOOP_VERSION"
jars=(
  "org/apache/hadoop/hadoop-aws/$HADOOP_VERSION/hadoop-aws-$HADOOP_VERSION.jar"
  "software/amazon/awssdk/bundle/$AWS_SDK_VERSION/bundle-$AWS_SDK_VERSION.jar"
  "software/amazon/s3/analyticsaccelerator/analyticsaccelerator-s3/$ACCEL_VERSION/analyticsaccelerator-s3-$ACCEL_VERSION.jar"
)
mkdir -p "$DEST"
for path in "${jars[@]}"; do
  target="$DEST/$(basename "$path")"
  [[ -s "$target" ]] && continue
  tmp="$(mktemp "$DEST/.download.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  curl -fsSL --retry 3 -o "$tmp" "$REPO/$path"
  expected="$(curl -fsSL --retry 3 "$REPO/$path.sha1" | cut -c1-40)"
  actual="$(sha1sum "$tmp" | cut -c1-40)"
  if [[ "$expected" != "$actual" ]]; then
    echo "spark.sh: checksum mismatch for $path ($actual, expected $expected)" >&2
    exit 1
  fi
  chmod 644 "$tmp"
  mv "$tmp" "$target"
  trap - EXIT
done
echo "$DEST"
