"""The installer's files, checked without PyInstaller: what the spec bundles, the desktop entry, the
MIME types, the fontconfig file. The bundle itself is tested by installer/smoke.sh (make bundle-test)."""

from __future__ import annotations

import importlib.util
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reviewer import __version__
from tests.conftest import REPO_ROOT

INSTALLER = REPO_ROOT / "installer"


@pytest.fixture(scope="module")
def layout():
    spec = importlib.util.spec_from_file_location("bundle_layout", INSTALLER / "bundle_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundle_holds_reports_resources_and_the_alembic_scripts(layout):
    bundled = {dest: Path(source) for source, dest in layout.datas()}
    assert bundled["reports"] == REPO_ROOT / "reports"
    assert bundled["resources"] == REPO_ROOT / "resources"
    migrations = bundled["reviewer/core/store/migrations"]
    assert (migrations / "env.py").is_file() and list((migrations / "versions").glob("0001_*.py"))
    assert all(path.exists() for path in bundled.values())
    assert layout.version() == __version__


def test_weasyprint_libraries_are_named_not_guessed(layout):
    for name in ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz.so.0", "libharfbuzz-subset.so.0",
                 "libfontconfig.so.1", "libgobject-2.0.so.0"):
        assert name in layout.WEASYPRINT_LIBS
    found = dict((Path(path).name, path) for path, _dest in layout.find_linux_libs())
    assert set(found) == set(layout.WEASYPRINT_LIBS)


def test_qt_plugins_kept_are_the_platforms_the_app_runs_on(layout):
    keep = layout.keep_qt_plugin
    assert keep("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert keep("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert keep("PySide6/Qt/plugins/iconengines/libqsvgicon.so")
    assert not keep("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert not keep("PySide6/Qt/plugins/platforms/libqvnc.so")
    assert keep("PySide6/Qt/lib/libQt6Pdf.so.6")


def test_desktop_entry_and_mime_types():
    desktop = (INSTALLER / "linux" / "protocol-reviewer.desktop").read_text(encoding="utf-8")
    assert "Exec=@BIN@ gui %F" in desktop and "Icon=protocol-reviewer" in desktop
    tree = ET.parse(INSTALLER / "linux" / "protocol-reviewer-mime.xml")
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    types = {node.get("type") for node in tree.getroot().iter(f"{ns}mime-type")}
    assert types == {"application/x-ctgov-study+json", "application/x-ctgov-study+xml", "text/x-ctgov-study-page"}
    for mime in types:
        assert mime in desktop


def test_desktop_entry_validates(tmp_path):
    entry = tmp_path / "protocol-reviewer.desktop"
    text = (INSTALLER / "linux" / "protocol-reviewer.desktop").read_text(encoding="utf-8")
    entry.write_text(text.replace("@BIN@", "/opt/protocol-reviewer/protocol-reviewer"), encoding="utf-8")
    result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_fontconfig_file_keeps_system_fonts_and_adds_the_bundled_ones():
    root = ET.parse(INSTALLER / "fonts.conf").getroot()
    assert root.find("include").text == "/etc/fonts/fonts.conf"
    assert root.find("include").get("ignore_missing") == "yes"
    assert root.find("dir").get("prefix") == "relative"
