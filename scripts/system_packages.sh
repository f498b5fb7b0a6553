#!/usr/bin/env bash
# Debian packages: fonts the renderer uses (colour emoji, wide script coverage), wrk,
# the HTTP load generator `make bench` drives the API with, and link-grammar (`link-parser`),
# which judges the copy adapter's grammar (optional at runtime, used by tests and bench).
set -euo pipefail
pkgs=(fonts-noto-color-emoji fonts-noto-core fonts-noto-cjk wrk link-grammar)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "note: not root; install ${missing[*]} for colour emoji and wide script coverage" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
