#!/usr/bin/env bash
# Installs this Protocol Reviewer bundle for the current user, or for everyone when run as root:
#   the app       ~/.local/share/protocol-reviewer   (root: /opt/protocol-reviewer)
#   the command   ~/.local/bin/protocol-reviewer     (root: /usr/local/bin/protocol-reviewer)
#   menu entry, hicolor icons, MIME types for trial files under ~/.local/share (root: /usr/local/share)
# An installed version is replaced (an upgrade); the user's data folder (~/.local/share/ProtocolReviewer:
# the store, notes, settings, logs) is never touched: the app migrates the store when it opens it.
#   ./install.sh [--prefix DIR] [--share DIR] [--bin DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=protocol-reviewer
if [ "$(id -u)" -eq 0 ]; then
  prefix=/opt share=/usr/local/share bin=/usr/local/bin
else
  prefix=${XDG_DATA_HOME:-$HOME/.local/share} share=${XDG_DATA_HOME:-$HOME/.local/share} bin=$HOME/.local/bin
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --share) share=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--share DIR] [--bin DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$here/$name" ] && [ -f "$here/.protocol-reviewer-bundle" ] || {
  echo "install: run the install.sh inside an unpacked Protocol Reviewer bundle" >&2; exit 1; }

app=$prefix/$name
version=$(cat "$here/VERSION")
if [ -e "$app" ] && [ ! -f "$app/.protocol-reviewer-bundle" ]; then
  echo "install: $app exists and is not a Protocol Reviewer bundle; not touching it" >&2; exit 1
fi
previous=$( [ -f "$app/VERSION" ] && cat "$app/VERSION" || true)

# The new bundle goes in beside the old one, then takes its place.
mkdir -p "$prefix"
rm -rf "$app.new"
cp -a "$here" "$app.new"
if [ -e "$app" ]; then mv "$app" "$app.old"; fi
mv "$app.new" "$app"
rm -rf "$app.old"

mkdir -p "$bin" "$share/applications" "$share/mime/packages"
ln -sfn "$app/$name" "$bin/$name"
sed "s|@BIN@|$app/$name|g" "$app/share/applications/$name.desktop" > "$share/applications/$name.desktop"
chmod 644 "$share/applications/$name.desktop"
cp "$app/share/mime/packages/$name.xml" "$share/mime/packages/$name.xml"
(cd "$app/share/icons" && find hicolor -name "$name.*" -type f) | while read -r icon; do
  mkdir -p "$share/icons/$(dirname "$icon")"
  cp "$app/share/icons/$icon" "$share/icons/$icon"
done

# Refresh the desktop's caches where the tools exist (a desktop picks the files up without them too).
command -v update-mime-database >/dev/null && update-mime-database "$share/mime" >/dev/null 2>&1 || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true

# What uninstall.sh removes (outside the app folder).
{
  echo "$bin/$name"
  echo "$share/applications/$name.desktop"
  echo "$share/mime/packages/$name.xml"
  (cd "$app/share/icons" && find hicolor -name "$name.*" -type f) | sed "s|^|$share/icons/|"
} > "$app/.installed-files"

if [ -n "$previous" ]; then
  echo "Protocol Reviewer $previous replaced by $version in $app"
else
  echo "Protocol Reviewer $version installed in $app"
fi
echo "Start it from the menu (Protocol Reviewer) or with: $bin/$name"
echo "Your data folder is left as it is; remove the app with: $app/uninstall.sh"
