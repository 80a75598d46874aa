#!/usr/bin/env bash
# Set up everything piaudit needs on a fresh Debian machine of this kind; safe to run again.
# System packages (apt), Python 3.12 venv with piaudit and its test tools, the Frida agent
# (npm + frida.Compiler) and the stand-in Java app (javac). Nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- system packages -----------------------------------------------------------------
need=()
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)   # the device tests compare the CA hash with openssl's
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)   # the PDF report's tests read its text and pages
command -v hey >/dev/null || need+=(hey)
command -v gcc >/dev/null || need+=(gcc libc6-dev)   # the stand-in's native library (fake bionic property API, JNI), the native TLS hook tests' libssl.so
# the stand-in app's HTTP client: real OkHttp 3 and Okio, as an APK bundles them
[ -e /usr/share/java/okhttp.jar ] || need+=(libokhttp-java)
[ -e /usr/share/java/okio.jar ] || need+=(libokio-java)

# real APKs for the tests, built offline from smali sources and signed (policy draft / compare)
command -v apktool >/dev/null || need+=(apktool)
command -v apksigner >/dev/null || need+=(apksigner)
# CJK glyphs, so consent buttons like 同意 render in the HTML report's screenshots
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Python 3.12 -----------------------------------------------------------------------
PY=""
for cand in python3.12 "$(command -v pyenv >/dev/null && pyenv which python3.12 2>/dev/null || true)" python3; do
  [ -n "$cand" ] || continue
  if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' 2>/dev/null; then
    PY=$(command -v "$cand"); break
  fi
done
if [ -z "$PY" ]; then
  if command -v pyenv >/dev/null; then say "installing Python 3.12 with pyenv"; pyenv install -s 3.12; PY=$(pyenv root)/versions/$(pyenv latest 3.12)/bin/python3.12
  else echo "setup: Python 3.12 is required (mitmproxy 12 needs it); install it and run again" >&2; exit 2; fi
fi
stamp=.venv/.piaudit-setup
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat $stamp 2>/dev/null)" != "$want" ]; then
  say "creating .venv with $($PY --version)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,cluster]"   # cluster: Ray, for the --cluster tests
  echo "$want" > $stamp
fi

# --- the Frida agent and the stand-in app ---------------------------------------------
say "building the Frida agent (cached)"
.venv/bin/python -m piaudit.hooks.build
say "building the stand-in app (cached)"
.venv/bin/python hooks/standin/build.py
say "ready: $ROOT/.venv/bin/piaudit"
