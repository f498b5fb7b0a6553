#!/usr/bin/env bash
# Fetch the public-domain White House photos shipped in the face_recognition
# sdist on PyPI (tests/test_images). Idempotent; needs only PyPI.
set -euo pipefail
pip_bin=$1
dest=$2
mkdir -p "$dest"
if ls "$dest"/*.jpg >/dev/null 2>&1; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$pip_bin" download -q --no-deps --no-binary :all: face_recognition==1.3.0 -d "$tmp"
tar -xzf "$tmp"/face_recognition-1.3.0.tar.gz -C "$tmp"
cp "$tmp"/face_recognition-1.3.0/tests/test_images/*.jpg "$dest"/
ls "$dest"
