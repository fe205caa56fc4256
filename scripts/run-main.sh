#!/usr/bin/env bash
# The main job: set up, build, and run the default platform with the default guest suite:
# hello (boot and console), then the VM-exit cost table measured in-guest under both cost profiles.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" release
hvsim="$root/build/apps/hvsim"
guests="$root/build/guest"

# isa-debug-exit convention: the guest's exit value v gives process status (v<<1)|1, so 1 = success.
run() {
  local status=0
  "$hvsim" run "$root/platforms/pc.yaml" "$@" || status=$?
  if [ "$status" -ne 1 ]; then echo "run-main: '$*' ended with status $status (expected 1)" >&2; exit 1; fi
}

echo "=== hello: boot a Multiboot guest on platforms/pc.yaml ==="
run --kernel "$guests/hello.elf"
for profile in modern-intel older-intel-2012; do
  echo
  echo "=== vmexit: cycles per guest operation, measured in the guest with RDTSC (profile $profile) ==="
  run --kernel "$guests/vmexit.elf" --profile "$profile"
done
