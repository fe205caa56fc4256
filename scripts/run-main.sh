#!/usr/bin/env bash
# The main job: set up, build, and run the default platform with the default guest suite:
# hello (boot and console), the VM-exit cost table measured in-guest under both cost profiles, then
# the emulated disk path (disk-bench on the PIIX4 IDE model over a fresh raw image) and the emulated
# network path (net-bench on the 21140 through a virtual switch) under both profiles.
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
for profile in modern-intel older-intel-2012; do
  echo
  echo "=== disk-bench: emulated PIIX4 IDE, PIO vs bus-master DMA, over a 16 MiB raw image (profile $profile) ==="
  image="$root/build/disk-bench-$profile.img"
  rm -f "$image"
  truncate -s 16M "$image"
  run --kernel "$guests/disk-bench.elf" --disk "$image" --profile "$profile"
done
echo
echo "=== disk-bench: the same 4 KiB requests on an HDD-like disk (8.5 ms average seek, 7200 rpm): sequential vs random ==="
image="$root/build/disk-bench-hdd.img"
rm -f "$image"
truncate -s 16M "$image"
run --kernel "$guests/disk-bench.elf" --disk "$image" -p "vm0.cpu0.cmdline=verify=0 size=4096" \
    -p vm0.disk0.seek_time=8500000000 -p vm0.disk0.track_to_track_seek=800000000 -p vm0.disk0.rpm=7200
for profile in modern-intel older-intel-2012; do
  echo
  echo "=== net-bench: emulated DEC 21140 on a 100 Mbit/s private switch, TX at 60/590/1514 B (profile $profile) ==="
  run --kernel "$guests/net-bench.elf" --profile "$profile" -p "vm0.cpu0.cmdline=mode=tx count=1000"
  echo
  echo "=== net-bench: ping-pong with the echo peer (profile $profile) ==="
  run --kernel "$guests/net-bench.elf" --profile "$profile" -p "vm0.cpu0.cmdline=mode=pingpong count=200" \
      -p vm0.peer.mode=echo
  for size in 60 1514; do
    echo
    echo "=== net-bench: RX of $size B frames from the generator peer at line rate (profile $profile) ==="
    # The generator starts at 100 ms of simulated time, when the guest's RX ring is ready under both
    # profiles, so every lost frame is one the NIC missed (CSR8) for lack of a free descriptor.
    run --kernel "$guests/net-bench.elf" --profile "$profile" -p "vm0.cpu0.cmdline=mode=rx count=1000 wait_ms=100" \
        -p vm0.peer.mode=generator -p vm0.peer.count=1000 -p "vm0.peer.size=$size" -p vm0.peer.start_ps=100000000000
  done
done
