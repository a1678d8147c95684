#!/usr/bin/env bash
# Checks the Debian packages Protocol Reviewer needs; installs the missing ones with apt-get when run
# as root, otherwise prints the exact command and fails.
#   installer/system-packages.sh test   what the headless test suite needs (Qt offscreen, WeasyPrint, pdftotext)
#   installer/system-packages.sh run    the above plus what Qt needs on a real display (xcb)
#   installer/system-packages.sh bundle the above plus what building and checking the bundle needs
set -euo pipefail

# Qt offscreen platform, WeasyPrint (Pango, HarfBuzz subsetting), fonts: DejaVu (≥ ≤ α β μ Ⅱ, Cyrillic,
# Arabic) and Noto CJK (Chinese, Japanese, Korean)
base=(libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk
      desktop-file-utils)  # the last: the test suite validates the menu entry
# Qt's xcb platform on a desktop or Xvfb
display=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
         libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
# the test suite reads PDFs back with pdftotext (poppler-utils); so do make bundle-test and pdfdetach
checking=(poppler-utils)
# make bundle: strip (binutils)
bundle=(binutils)

case "${1:-test}" in
  test) wanted=("${base[@]}" "${checking[@]}") ;;
  run) wanted=("${base[@]}" "${display[@]}") ;;
  bundle) wanted=("${base[@]}" "${display[@]}" "${checking[@]}" "${bundle[@]}") ;;
  *) echo "usage: $0 test|run|bundle" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-packages: not a Debian-based system; make sure the equivalents of these are installed:" >&2
  echo "  ${wanted[*]}" >&2
  exit 0
fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "system-packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-packages: these Debian packages are missing: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
