#!/usr/bin/env bash
# Spark resource discovery for the gpu profile worker (spark.worker.resource.gpu.discoveryScript):
# prints {"name": "gpu", "addresses": ["0", "1", ...]} for the GPUs nvidia-smi sees in the container.
set -euo pipefail
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | sed -e 's/^ *//' -e 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
