#!/usr/bin/env bash
# Installs every Debian package hvsim needs (idempotent; run as root on Debian 12).
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config
      libsystemc-dev libunicorn-dev libcapstone-dev libboost-dev
      catch2 libbenchmark-dev libyaml-cpp-dev nlohmann-json3-dev
      gcc-multilib qemu-system-x86
      tshark)  # tshark: tests validate hvsim's pcap captures with it
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root to install packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
