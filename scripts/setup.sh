#!/usr/bin/env bash
# Prepares a machine for micro: the Debian packages the tests need (installed when run as
# root), and a virtual environment (.venv) holding micro and its test dependencies at the
# versions pinned in constraints.txt. Re-running it is fast: nothing is reinstalled unless
# pyproject.toml or constraints.txt changed.
#
#   bash scripts/setup.sh          # MICRO_VENV=/path overrides the venv location
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MICRO_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}

# C toolchain and build tools; clang (with its sanitizer runtimes) for the clang builds;
# the ARM cross toolchains and QEMU the target tests run under (../shared/TARGETS.md);
# valgrind for instruction counts on x86.
APT_PACKAGES=(gcc libc6-dev make cmake clang libclang-rt-14-dev
  qemu-user qemu-system-arm
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  valgrind)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: warning: missing Debian packages ${missing[*]} (run as root to install them;"
    echo "       tests that need them are skipped with the reason)"
  fi
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: micro needs Python >= 3.11 (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.micro-setup"
wanted=$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "setup: installing micro and its test dependencies into $VENV"
  log="$VENV/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install --upgrade pip \
         && "$VENV/bin/python" -m pip install -c "$ROOT/constraints.txt" -e "$ROOT[test]"; } \
       >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: pip install failed (full log: $log)" >&2
    exit 1
  fi
  echo "$wanted" > "$stamp"
fi
