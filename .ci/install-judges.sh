#!/usr/bin/env bash
# Installs the public linters that judge generated projects into .judges/bin, from package
# registries only: PyPI wheels pinned in .ci/judges.txt, and promtool from Debian's prometheus
# package (unpacked, not installed, so no Prometheus server is set up on the machine).
# Idempotent: does nothing when the pinned set is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

JUDGES=.judges
STAMP="$JUDGES/installed-from.txt"

if ! cmp -s .ci/judges.txt "$STAMP" 2>/dev/null; then
  rm -rf "$JUDGES"
  python3 -m venv "$JUDGES"
  "$JUDGES/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
    --requirement .ci/judges.txt 2> >(grep -v "is ignored: it is neither" >&2)
  cp .ci/judges.txt "$STAMP"
fi

if [ ! -x "$JUDGES/bin/promtool" ] && ! command -v promtool >/dev/null; then
  if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # apt-get download needs package lists; refresh them once if the first try finds nothing.
    (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get download prometheus >/dev/null 2>&1; }; }) \
      || echo "install-judges: could not download Debian's prometheus package for promtool" >&2
    if ls "$work"/prometheus_*.deb >/dev/null 2>&1; then
      dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
      cp "$work/root/usr/bin/promtool" "$JUDGES/bin/promtool"
    fi
  else
    echo "install-judges: no apt-get here; install promtool yourself (Debian: prometheus)" >&2
  fi
fi

for tool in actionlint zizmor hadolint check-jsonschema detect-secrets kubectl kubernetes-validate promtool; do
  found=$(PATH="$JUDGES/bin:$PATH" command -v "$tool" || true)
  printf '  %-20s %s\n' "$tool" "${found:-MISSING}"
done
