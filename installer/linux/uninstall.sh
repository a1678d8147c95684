#!/usr/bin/env bash
# Removes an installed Protocol Reviewer: the app folder, its command, menu entry, icons and MIME
# types. The user's data folder (~/.local/share/ProtocolReviewer: store, notes, settings, logs) is
# left alone; delete it by hand if you mean to.
set -euo pipefail
app=$(cd "$(dirname "$0")" && pwd)
[ -f "$app/.protocol-reviewer-bundle" ] && [ -f "$app/.installed-files" ] || {
  echo "uninstall: $app is not an installed Protocol Reviewer" >&2; exit 1; }
while read -r file; do
  case "$file" in
    */protocol-reviewer|*/protocol-reviewer.desktop|*/protocol-reviewer.xml|*/protocol-reviewer.png|*/protocol-reviewer.svg)
      rm -f "$file" ;;
  esac
done < "$app/.installed-files"
share=$(sed -n 's|/applications/protocol-reviewer.desktop$||p' "$app/.installed-files")
if [ -n "$share" ]; then
  command -v update-mime-database >/dev/null && update-mime-database "$share/mime" >/dev/null 2>&1 || true
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
fi
rm -rf "$app"
echo "Protocol Reviewer removed from $app; your data folder was not touched."
