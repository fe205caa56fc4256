#!/usr/bin/env bash
# The main job: set up, build, and run the default platform with the default guest suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" release
hvsim="$root/build/apps/hvsim"
guests="$root/build/guest"
status=0
echo "=== hello on platforms/pc.yaml ==="
"$hvsim" run "$root/platforms/pc.yaml" --kernel "$guests/hello.elf" || status=$?
# isa-debug-exit convention: the guest's exit value v gives process status (v<<1)|1, so 1 = success.
if [ "$status" -ne 1 ]; then echo "run-main: hello ended with status $status (expected 1)" >&2; exit 1; fi
echo
echo "=== compute on platforms/pc.yaml (exact instruction count in the marked region) ==="
status=0
"$hvsim" run "$root/platforms/pc.yaml" --kernel "$guests/compute.elf" || status=$?
if [ "$status" -ne 1 ]; then echo "run-main: compute ended with status $status (expected 1)" >&2; exit 1; fi
