#!/usr/bin/env bash
# Install vbgen with its test needs into .venv and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use: LibreOffice opens the built Word file and saves a draft
# back, and its Python bridge (python3-uno, from the same release) lets the tests edit a
# draft in it as a person does (7.5 or later keeps Word's content controls; Debian 12 ships
# 7.4, so there both come from bookworm-backports), poppler renders PDF pages, HarfBuzz
# subsetting keeps the PDF's fonts small, headless Chromium loads the live preview, strace
# shows which files a build opens, Hunspell with its Swedish dictionary checks the samples'
# spelling, and DejaVu Sans Mono is the layout test's fallback font. Installed only when
# running as root with apt-get, and only what is missing or too old; without them the tests
# that need them are skipped.
OFFICE_PACKAGES=(libreoffice-writer-nogui python3-uno)
SYSTEM_PACKAGES=(poppler-utils libharfbuzz-subset0 chromium chromium-driver strace hunspell
                 hunspell-sv fonts-dejavu-core)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    release=()
    if grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
        if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
            echo "deb http://deb.debian.org/debian bookworm-backports main" \
                >/etc/apt/sources.list.d/vbgen-backports.list
        fi
        release=(-t bookworm-backports)
    fi
    missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    version=$(dpkg-query -W -f '${Version}' libreoffice-writer-nogui 2>/dev/null \
              | sed -E 's/^[0-9]+://' | grep -oE '^[0-9]+\.[0-9]+' || true)
    office=no
    if [ -z "$version" ] || [ "$(printf '%s\n7.5\n' "$version" | sort -V | head -1)" != 7.5 ]
    then
        office=yes  # missing, or too old to keep content controls
    fi
    # The bridge works only with the LibreOffice of its own release.
    [ "$(dpkg-query -W -f '${Version}' python3-uno 2>/dev/null || true)" \
      = "$(dpkg-query -W -f '${Version}' libreoffice-writer-nogui 2>/dev/null || true)" ] \
        || office=yes
    if [ ${#missing[@]} -gt 0 ] || [ $office = yes ]; then
        echo "Installerar ${missing[*]} $([ $office = yes ] && echo "${OFFICE_PACKAGES[*]}") ..."
        if ! { apt-get update -q \
               && { [ ${#missing[@]} = 0 ] || apt-get install -y -q --no-install-recommends \
                    "${missing[@]}"; } \
               && { [ $office = no ] || apt-get install -y -q --no-install-recommends \
                    "${release[@]}" "${OFFICE_PACKAGES[@]}"; }; } >/tmp/vbgen-apt.log 2>&1
        then
            echo "Kunde inte installera allt (se /tmp/vbgen-apt.log); testerna som behöver" \
                 "det som saknas hoppas över."
        fi
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m ruff check src tests scripts
.venv/bin/python -m mypy src
.venv/bin/python -m pytest "$@"
