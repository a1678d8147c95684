#!/usr/bin/env bash
# Builds the one-folder bundle dist/ProtocolReviewer (`make bundle`, which first syncs the env with
# the 'bundle' dependency group): icons, PyInstaller (installer/protocol-reviewer.spec), then the
# Linux desktop files and the install/uninstall scripts beside the executable.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
dist=dist/ProtocolReviewer
start=$(date +%s)

"$venv/bin/python" installer/make_icons.py build/icons
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/protocol-reviewer.spec

version=$("$venv/bin/python" -c 'import sys; sys.path.insert(0, "installer"); import bundle_layout; print(bundle_layout.version())')
echo "$version" > "$dist/VERSION"
touch "$dist/.protocol-reviewer-bundle"  # the scripts touch only folders that carry this mark
install -m 755 installer/linux/install.sh installer/linux/uninstall.sh "$dist/"
install -D -m 644 installer/linux/protocol-reviewer.desktop "$dist/share/applications/protocol-reviewer.desktop"
install -D -m 644 installer/linux/protocol-reviewer-mime.xml "$dist/share/mime/packages/protocol-reviewer.xml"
mkdir -p "$dist/share/icons"
cp -r build/icons/hicolor "$dist/share/icons/"

echo "bundle: $dist ($version), $(du -sh "$dist" | cut -f1) unpacked, built in $(( $(date +%s) - start )) s"
