"""Download the jars listed in a file (group:artifact:version a line) from a Maven repository into a
directory, each checked against the repository's .sha1 (a damaged download fails the image build).

    python fetch_jars.py OUT_DIR jars.txt        (MAVEN_REPOSITORY overrides the repository URL)
"""

import hashlib
import os
import sys
import urllib.request
from pathlib import Path

REPOSITORY = os.environ.get("MAVEN_REPOSITORY", "https://repo1.maven.org/maven2").rstrip("/")
if not REPOSITORY.startswith(("https://", "http://")):
    raise SystemExit(f"MAVEN_REPOSITORY must be an http(s) URL, not {REPOSITORY!r}")


def fetch(coordinates: str, out: Path) -> Path:
    group, artifact, version = coordinates.split(":")
    name = f"{artifact}-{version}.jar"
    url = f"{REPOSITORY}/{group.replace('.', '/')}/{artifact}/{version}/{name}"
    target = out / name
    digest = hashlib.sha1()  # noqa: S324 - Maven publishes .sha1; an integrity check, not a signature
    with urllib.request.urlopen(url, timeout=120) as response, open(target, "wb") as sink:  # noqa: S310
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            sink.write(chunk)
    with urllib.request.urlopen(url + ".sha1", timeout=60) as response:  # noqa: S310
        expected = response.read().decode().split()[0].strip().lower()
    if digest.hexdigest() != expected:
        target.unlink()
        raise SystemExit(f"{name}: sha1 {digest.hexdigest()} is not the published {expected}")
    print(f"{name}: {target.stat().st_size} bytes, sha1 ok")
    return target


def main() -> None:
    out, listing = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for line in listing.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            fetch(line, out)


if __name__ == "__main__":
    main()
