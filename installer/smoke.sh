#!/usr/bin/env bash
# The bundle's smoke test (`make bundle-test`, after `make bundle`): runs the real bundled binary, headless
# (QT_QPA_PLATFORM=offscreen), in temporary data, cache and install folders. Every check prints one line;
# the first failure stops the script with exit 1.
#   installer/smoke.sh [dist/ProtocolReviewer]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dist=$(cd "${1:-dist/ProtocolReviewer}" && pwd)
bin=$dist/protocol-reviewer
internal=$dist/_internal
venv_python=$repo/.venv/bin/python
tmp=$(mktemp -d /tmp/reviewer-smoke.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export QT_QPA_PLATFORM=offscreen
# A user of our own: the default data folder, caches and settings all land in $tmp.
export HOME=$tmp/home XDG_DATA_HOME=$tmp/home/.local/share XDG_CACHE_HOME=$tmp/home/.cache XDG_CONFIG_HOME=$tmp/home/.config
unset REVIEWER_DATA_DIR FONTCONFIG_FILE
mkdir -p "$HOME"
start=$(date +%s)
checks=0

ok() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; exit 1; }
squash() { pdftotext -enc UTF-8 "$1" - | tr -s '[:space:]' ' ' | sed 's/\([[:alnum:]]\)- \([[:alnum:]]\)/\1-\2/g'; }
contains() { grep -qF -- "$2" <<<"$1"; }

# --- 1. what is inside the bundle -------------------------------------------------------------------
[ -x "$bin" ] || fail "no executable $bin (run make bundle)"
for lib in libgobject-2.0.so.0 libglib-2.0.so.0 libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 \
           libharfbuzz-subset.so.0 libfontconfig.so.1 libfreetype.so.6; do
  [ -f "$internal/$lib" ] || fail "WeasyPrint's $lib is not in the bundle"
done
ok "WeasyPrint's Pango, HarfBuzz (and subset), fontconfig, FreeType, GLib are in the bundle"
for item in reports/report.css reports/brief.html.j2 resources/icons/app.svg resources/samples/README.md \
            resources/fonts/DejaVuSans.ttf resources/fonts/fonts.conf \
            reviewer/core/store/migrations/env.py \
            $(cd "$repo" && ls reviewer/core/store/migrations/versions/*.py) \
            PySide6/Qt/plugins/platforms/libqxcb.so PySide6/Qt/plugins/platforms/libqoffscreen.so \
            PySide6/Qt/plugins/iconengines/libqsvgicon.so PySide6/Qt/lib/libQt6Pdf.so.6; do
  [ -e "$internal/$item" ] || fail "$item is not in the bundle"
done
ok "reports/, resources/ (fonts, icons, samples), the Alembic scripts, Qt xcb/offscreen, SVG icons, QtPdf are in"
for elf in "$bin" "$internal/PySide6/Qt/lib/libQt6Core.so.6" "$internal/libpango-1.0.so.0"; do
  ! readelf -S "$elf" | grep -q '\.symtab' || fail "$elf is not stripped"
done
ok "binaries are stripped"
for unused in tkinter PySide6/Qt/translations PySide6/QtQml.abi3.so PySide6/QtQuick.abi3.so \
              PySide6/Qt/plugins/platformthemes/libqgtk3.so setuptools; do
  [ ! -e "$internal/$unused" ] || fail "$unused should have been left out"
done
ok "left out: tkinter, Qt translations, QtQml/QtQuick, the GTK platform theme, setuptools"
version=$(cat "$dist/VERSION")
[ "$("$bin" --version)" = "Protocol Reviewer $version" ] || fail "--version does not say $version"
ok "protocol-reviewer --version: Protocol Reviewer $version"

# --- 2. first start: the user's data folder, the sample trials, the log -----------------------------
touch "$tmp/before-start"
out=$("$bin" gui --self-test 2>"$tmp/gui.err") || { cat "$tmp/gui.err" >&2; fail "gui --self-test failed"; }
contains "$out" "self-test ok: 3 trials, Qt offscreen" || fail "self-test said: $out"
ok "gui --self-test opened the main window: $out"
data=$XDG_DATA_HOME/ProtocolReviewer
[ -f "$data/reviewer.sqlite3" ] || fail "no store in the user's data folder $data"
[ -s "$data/logs/reviewer.log" ] || fail "no log in $data/logs"
grep -q "first start: sample trials: 3 document(s): 3 trial(s) added" "$data/logs/reviewer.log" \
  || fail "the log does not record the sample trials"
changed=$(find "$dist" -newer "$tmp/before-start" | head -5)
[ -z "$changed" ] || fail "the app wrote inside the bundle: $changed"
ok "first start made the store with the 3 sample trials and the log in $data, nothing inside the bundle"
head=$(ls "$repo/reviewer/core/store/migrations/versions" | sed -n 's/^\([0-9]\{4\}\)_.*\.py$/\1/p' | sort | tail -1)
grep -q "Running upgrade  -> 0001" "$data/logs/reviewer.log" || fail "the log shows no migration of the new store"
check=$("$bin" db check) || fail "db check: $check"
contains "$check" "schema:    $head (this app: $head)" && contains "$check" "integrity: ok" || fail "db check: $check"
ok "the new store was built by the bundled Alembic migrations; db check: schema $head, integrity ok"

# --- 2b. a store of the first schema revision is migrated by the bundle, after a backup ------------
old_store=$tmp/old-store
mkdir -p "$old_store"
cp "$repo/tests/fixtures/stores/0001.sqlite3" "$old_store/reviewer.sqlite3"
found=$("$bin" --data-dir "$old_store" search exosomes --phase PHASE2) || fail "the bundle cannot open a 0001 store"
contains "$found" "NCT07312656" || fail "the migrated store's index does not filter by phase: $found"
ls "$old_store"/reviewer.sqlite3.backup-0001-* >/dev/null 2>&1 || fail "no backup of the 0001 store before its migration"
check=$("$bin" --data-dir "$old_store" db check) || fail "after migrating a 0001 store: $check"
contains "$check" "schema:    $head (this app: $head)" && contains "$check" "trials:    3" \
  && contains "$check" "notes: 1" || fail "after migrating a 0001 store: $check"
ok "a store of schema 0001 (tests/fixtures/stores) is migrated to $head by the bundle, backed up first, its note kept"

# --- 3. the seeds into a temporary data folder; bulk import (worker processes in a frozen app) -----
seeds=$tmp/seeds
"$bin" --data-dir "$seeds" import "$internal"/resources/samples/*.txt --json >"$tmp/seeds.json" \
  || fail "import of the seeds failed"
[ "$("$bin" --data-dir "$seeds" list --json | "$venv_python" -c 'import json,sys; print(json.load(sys.stdin)["total"])')" = 3 ] \
  || fail "the seeds' data folder does not list 3 trials"
ok "import of the sample trials into $seeds: 3 trials listed"
mkdir -p "$tmp/bulk-in" && cp "$internal"/resources/samples/*.txt "$tmp/bulk-in/"
"$bin" --data-dir "$tmp/bulk" import --bulk "$tmp/bulk-in" >/dev/null || fail "import --bulk failed"
ok "import --bulk (worker processes) works frozen"

# --- 4. a brief: Pango, the bundled fonts, the locked URL fetcher (report.css), QtPdf ---------------
cat >"$tmp/glyphs.json" <<'EOF'
{"protocolSection": {"identificationModule": {"nctId": "NCT09990002", "briefTitle": "Glyph check αβ≥≤μⅡ× 肿瘤患者"},
 "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n\n* ANC ≥ 1.5 × 10^9/L, μg, α β, Phase Ⅱ"}}}
EOF
"$bin" --data-dir "$seeds" import "$tmp/glyphs.json" >/dev/null || fail "import of glyphs.json failed"
LD_DEBUG=libs LD_DEBUG_OUTPUT=$tmp/ld "$bin" --data-dir "$seeds" report brief NCT07312656 NCT09990002 \
  -o "$tmp/brief.pdf" >/dev/null 2>"$tmp/report.err" || { cat "$tmp/report.err" >&2; fail "report brief failed"; }
grep -h "calling init: " "$tmp"/ld.* | sed 's/.*calling init: //' >"$tmp/loaded.txt"
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1; do
  grep -qx "$internal/$lib" "$tmp/loaded.txt" || fail "$lib was not loaded from the bundle (the system's copy stood in)"
  ! grep -v "^$internal/" "$tmp/loaded.txt" | grep -q "/$lib" || fail "a system copy of $lib was loaded"
done
ok "the brief loaded Pango, HarfBuzz, HarfBuzz-subset and fontconfig from the bundle, none from the system"
text=$(squash "$tmp/brief.pdf")
contains "$text" "Aerosolized Mesenchymal Stem Cell-Derived Exosomes" || fail "the brief's text is not the trial's"
contains "$text" "αβ≥≤μⅡ×" && contains "$text" "ANC ≥ 1.5 × 10^9/L" || fail "Greek and maths are not in the text"
contains "$text" "Page 1 of" || fail "no 'Page X of Y' footer: report.css was not fetched from reports/"
ok "pdftotext reads the brief back: title, αβ≥≤μⅡ×, and the footer from report.css (the fetcher read reports/)"
pdffonts "$tmp/brief.pdf" | grep -q "DejaVu-Sans .*yes yes yes" || fail "DejaVu Sans is not embedded"
ok "fonts embedded: $(pdffonts "$tmp/brief.pdf" | awk 'NR>2 {sub(/^[A-Z]+\+/, "", $1); print $1}' | sort -u | tr '\n' ' ')"
qt=$("$bin" --data-dir "$seeds" gui --self-test --self-test-pdf "$tmp/brief.pdf" 2>/dev/null) || fail "QtPdf: $qt"
qt=$(tr -s '[:space:]' ' ' <<<"$qt")
contains "$qt" "self-test pdf: " && contains "$qt" "Aerosolized Mesenchymal Stem Cell-Derived" || fail "QtPdf read: ${qt:0:300}"
ok "QtPdf (bundled) reads the brief back: $(grep -o 'self-test pdf: [0-9]* pages' <<<"$qt")"

# --- 5. a hostile record: text stays text, no file embedded, no request -----------------------------
"$venv_python" - "$tmp/requests.log" "$tmp/port" >/dev/null 2>&1 <<'EOF' &
import http.server, sys
log, port_file = sys.argv[1], sys.argv[2]
class Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"body { color: red }")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
open(port_file + ".tmp", "w").write(str(server.server_port))
__import__("os").rename(port_file + ".tmp", port_file)
server.serve_forever()
EOF
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
"$venv_python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/control').read()"
[ "$(cat "$tmp/requests.log")" = "/control" ] || fail "the local HTTP server does not record requests"
: >"$tmp/requests.log"
hostile="<img src=\"file:///etc/hostname\"> <link rel=stylesheet href=\"http://127.0.0.1:$port/x.css\"> <style>@import url(\"http://127.0.0.1:$port/y.css\");</style> <a rel=\"attachment\" href=\"file:///etc/hostname\">attach</a> {{ 7*7 }}"
"$venv_python" -c '
import json, sys
hostile = sys.argv[2]
study = {"protocolSection": {"identificationModule": {"nctId": "NCT09990003", "briefTitle": hostile},
                             "descriptionModule": {"briefSummary": hostile}}}
open(sys.argv[1], "w").write(json.dumps(study))' "$tmp/hostile.json" "$hostile"
"$bin" --data-dir "$seeds" import "$tmp/hostile.json" >/dev/null || fail "import of hostile.json failed"
"$bin" --data-dir "$seeds" report brief NCT09990003 -o "$tmp/hostile.pdf" >/dev/null 2>"$tmp/hostile.err" \
  || { cat "$tmp/hostile.err" >&2; fail "report of the hostile record failed"; }
text=$(squash "$tmp/hostile.pdf")
for literal in '<img src="file:///etc/hostname">' "<link rel=stylesheet href=\"http://127.0.0.1:$port/x.css\">" \
               "@import url(\"http://127.0.0.1:$port/y.css\")" '<a rel="attachment" href="file:///etc/hostname">' \
               '{{ 7*7 }}'; do
  contains "$text" "$literal" || fail "the PDF does not show $literal literally: ${text:0:400}"
done
ok "the hostile record's markup, @import and {{ 7*7 }} print as literal text"
pdfdetach -list "$tmp/hostile.pdf" | grep -q "^0 embedded files" || fail "the PDF embeds a file"
"$venv_python" - "$tmp/hostile.pdf" <<'EOF' || fail "pypdf finds an attachment or a file annotation"
import sys
from pypdf import PdfReader
reader = PdfReader(sys.argv[1])
assert not reader.attachments, reader.attachments
for page in reader.pages:
    for annot in page.get("/Annots") or []:
        assert annot.get_object().get("/Subtype") != "/FileAttachment"
EOF
hostname_text=$(tr -d '[:space:]' </etc/hostname)
[ -z "$hostname_text" ] || ! contains "$(squash "$tmp/hostile.pdf" | sed 's|file:///etc/hostname||g')" "$hostname_text" \
  || fail "the PDF holds /etc/hostname's content"
ok "no file embedded (pdfdetach: 0 embedded files; pypdf: no attachments or file annotations)"
[ ! -s "$tmp/requests.log" ] || fail "the local server received: $(cat "$tmp/requests.log")"
ok "the local HTTP server on port $port received no request"

# --- 6. a store made by the source tree is opened by the bundle -------------------------------------
src=$tmp/source-store
"$repo/.venv/bin/reviewer" --data-dir "$src" import "$tmp/hostile.json" >/dev/null
check=$("$bin" --data-dir "$src" db check) || fail "the bundle cannot check the source tree's store: $check"
contains "$check" "trials:    4 (4 versions)" || fail "db check of the source tree's store: $check"
"$bin" --data-dir "$src" show NCT09990003 >/dev/null || fail "the bundle cannot show a trial of that store"
ok "a store written by the source tree ($("$repo/.venv/bin/reviewer" --version)) opens in the bundle: 4 trials"

# --- 7. install, upgrade, uninstall: the data folder stays ------------------------------------------
root=$tmp/installed
"$dist/install.sh" --prefix "$root/opt" --share "$root/share" --bin "$root/bin" >"$tmp/install.out"
app=$root/opt/protocol-reviewer
[ -x "$app/protocol-reviewer" ] && [ -L "$root/bin/protocol-reviewer" ] || fail "install.sh did not install"
desktop=$root/share/applications/protocol-reviewer.desktop
desktop-file-validate "$desktop" || fail "the installed .desktop file does not validate"
grep -q "^Exec=$app/protocol-reviewer gui %F$" "$desktop" || fail "the .desktop Exec line is wrong"
for file in mime/packages/protocol-reviewer.xml icons/hicolor/scalable/apps/protocol-reviewer.svg \
            icons/hicolor/48x48/apps/protocol-reviewer.png icons/hicolor/256x256/apps/protocol-reviewer.png; do
  [ -f "$root/share/$file" ] || fail "install.sh did not install $file"
done
ok "install.sh: app, command, menu entry (desktop-file-validate ok), hicolor icons, MIME types"
user_data=$XDG_DATA_HOME/ProtocolReviewer
"$root/bin/protocol-reviewer" import "$tmp/hostile.json" >/dev/null || fail "the installed app cannot import"
"$root/bin/protocol-reviewer" gui --self-test "$tmp/glyphs.json" 2>/dev/null | grep -q "self-test ok: 5 trials" \
  || fail "the installed app's menu command (gui FILE) did not import the file"
ok "the installed app imports into the user's data folder; 'gui FILE' (Open with) adds the file: 5 trials"
"$dist/install.sh" --prefix "$root/opt" --share "$root/share" --bin "$root/bin" >"$tmp/upgrade.out"
grep -q "replaced by" "$tmp/upgrade.out" || fail "a second install is not reported as an upgrade"
check=$("$root/bin/protocol-reviewer" db check) || fail "after the upgrade: $check"
contains "$check" "trials:    5 (5 versions)" || fail "the upgrade lost data: $check"
ok "upgrade (install over an installed version) keeps the data folder: 5 trials, integrity ok"
"$app/uninstall.sh" >/dev/null
[ ! -e "$app" ] && [ ! -e "$desktop" ] && [ ! -e "$root/bin/protocol-reviewer" ] \
  && [ ! -e "$root/share/icons/hicolor/48x48/apps/protocol-reviewer.png" ] || fail "uninstall.sh left files behind"
check=$("$bin" --data-dir "$user_data" db check) || fail "after uninstall: $check"
contains "$check" "trials:    5 (5 versions)" || fail "uninstall touched the data: $check"
ok "uninstall.sh removes the app, menu entry, icons and MIME types; the data folder keeps its 5 trials"

# --- 8. a machine without fonts: the bundled fontconfig finds the bundled DejaVu ---------------------
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
  unshare -m env bin="$bin" seeds="$seeds" tmp="$tmp" bash -c '
    set -e
    for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts /var/cache/fontconfig; do
      [ -d "$d" ] && mount -t tmpfs none "$d"
    done
    [ -z "$(fc-list 2>/dev/null)" ]
    XDG_CACHE_HOME=$tmp/nofonts-cache "$bin" --data-dir "$seeds" report brief NCT09990002 -o "$tmp/nofonts.pdf" >/dev/null 2>&1
    XDG_CACHE_HOME=$tmp/nofonts-cache "$bin" --data-dir "$seeds" gui --self-test >"$tmp/nofonts-gui.out" 2>/dev/null
  ' || fail "with no system fonts the bundle could not render or start"
  text=$(squash "$tmp/nofonts.pdf")
  contains "$text" "αβ≥≤μⅡ×" || fail "with no system fonts: ${text:0:200}"
  pdffonts "$tmp/nofonts.pdf" | grep -q "DejaVu-Sans .*yes yes yes" || fail "with no system fonts DejaVu is not embedded"
  grep -q "self-test ok: 5 trials" "$tmp/nofonts-gui.out" || fail "with no system fonts the GUI did not start"
  ok "with the system's fonts and fontconfig hidden (mount namespace), the bundled DejaVu prints αβ≥≤μⅡ× and the window opens"
else
  echo "skip a machine without fonts: needs root and a mount namespace (unshare -m)"
fi

# --- sizes -----------------------------------------------------------------------------------------
echo "bundle: $(du -sh "$dist" | cut -f1) unpacked; largest: $(du -sl "$internal"/* "$internal"/PySide6/Qt/lib/* 2>/dev/null \
  | sort -rn | head -6 | awk '{n=split($2,p,"/"); printf "%s %.0fM, ", p[n], $1/1024}')"
echo "smoke: $checks checks passed in $(( $(date +%s) - start )) s"
