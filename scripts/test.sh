#!/usr/bin/env bash
# Install vbgen with its test needs into .venv and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use: LibreOffice opens the built Word file, poppler renders PDF
# pages, HarfBuzz subsetting keeps the PDF's fonts small, headless Chromium loads the live
# preview. Installed only when running as root with apt-get, and only what is missing;
# without them the LibreOffice and browser tests are skipped.
SYSTEM_PACKAGES=(libreoffice-writer-nogui poppler-utils libharfbuzz-subset0 chromium
                 chromium-driver)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installerar ${missing[*]} ..."
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -q && apt-get install -y -q --no-install-recommends \
                "${missing[@]}"; } >/tmp/vbgen-apt.log 2>&1; then
            echo "Kunde inte installera ${missing[*]} (se /tmp/vbgen-apt.log); testerna som" \
                 "behöver dem hoppas över."
        fi
    fi
fi

# The Word round trip needs a LibreOffice that keeps Word's content controls (7.5 or later;
# Debian 12 ships 7.4, so it comes from bookworm-backports there).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    version=$(soffice --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+' | head -1 || true)
    if [ -n "$version" ] && [ "$(printf '%s\n7.5\n' "$version" | sort -V | head -1)" != 7.5 ] \
            && grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
        echo "Installerar LibreOffice från bookworm-backports (nu $version) ..."
        export DEBIAN_FRONTEND=noninteractive
        if [ ! -e /etc/apt/sources.list.d/vbgen-backports.list ] \
                && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
            echo "deb http://deb.debian.org/debian bookworm-backports main" \
                >/etc/apt/sources.list.d/vbgen-backports.list
        fi
        if ! { apt-get update -q && apt-get install -y -q --no-install-recommends \
                -t bookworm-backports libreoffice-writer-nogui; } >>/tmp/vbgen-apt.log 2>&1; then
            echo "Kunde inte installera en nyare LibreOffice (se /tmp/vbgen-apt.log); testet" \
                 "av Word-utkastets väg tillbaka hoppas över."
        fi
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m ruff check src tests scripts
.venv/bin/python -m mypy src
.venv/bin/python -m pytest "$@"
