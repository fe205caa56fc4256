#!/usr/bin/env bash
# Configures and builds one flavour: `build.sh release` (build/) or `build.sh asan` (build-asan/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
flavour="${1:-release}"
jobs="${JOBS:-$(nproc)}"
case "$flavour" in
  release) dir="$root/build"; opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir="$root/build-asan"; opts=(-DCMAKE_BUILD_TYPE=Debug -DHVSIM_SANITIZE=ON -DHVSIM_BENCHMARKS=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -G Ninja "${opts[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
