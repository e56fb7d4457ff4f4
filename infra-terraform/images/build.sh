#!/usr/bin/env bash
# Builds every image from images.env (run from anywhere; needs docker and the Maven packages named in each Dockerfile).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=images.env
source "$here/images.env"
docker build -f "$here/control-plane.Dockerfile" -t "$CONTROL_PLANE_IMAGE" "$root"
docker tag "$CONTROL_PLANE_IMAGE" "$SPLIT_RUNNER_IMAGE"
docker build -f "$here/splitter.Dockerfile" -t "$SPLITTER_IMAGE" "$root"
exec docker build -f "$here/node-cuda.Dockerfile" -t "$NODE_CUDA_IMAGE" "$root"
