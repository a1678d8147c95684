"""What goes into the bundle, in one place: read by protocol-reviewer.spec (PyInstaller) and by
tests/unit/test_installer.py (which needs no PyInstaller).

Plain Python with no imports beyond the standard library, so the test suite can load it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "protocol-reviewer"  # executable, .desktop file, icon and MIME names
APP_DIR = "ProtocolReviewer"  # the bundle folder (dist/ProtocolReviewer)
APP_TITLE = "Protocol Reviewer"

# WeasyPrint opens these with cffi's dlopen at import time. PyInstaller's stock hook finds them with
# ctypes.util.find_library inside one try block: if that raises (or finds nothing), the hook only logs a
# warning and the bundle silently relies on the build machine's copies. We name them ourselves and stop
# the build if one is missing. libfontconfig/libfreetype come along as Pango's dependencies too.
WEASYPRINT_LIBS = (
    "libgobject-2.0.so.0",
    "libglib-2.0.so.0",
    "libpango-1.0.so.0",
    "libpangoft2-1.0.so.0",
    "libharfbuzz.so.0",
    "libharfbuzz-subset.so.0",
    "libfontconfig.so.1",
    "libfreetype.so.6",
)

# Fonts shipped inside the bundle (resources/fonts), so a brief prints Latin, Greek, Cyrillic, maths
# (≥ ≤ × μ Ⅱ) even on a machine with no fonts; CJK comes from the system's fonts (fonts-noto-cjk).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
FONT_LICENCE = Path("/usr/share/doc/fonts-dejavu-core/copyright")

# Modules the app never imports (PyInstaller would otherwise follow optional imports into them).
EXCLUDES = (
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc_data",
    "test",
    "lib2to3",
    "IPython",
    "pytest",
    "_pytest",
    "setuptools",
    "pkg_resources",
    "distutils",
    "_distutils_hack",
    "pygments",
    "PIL._avif",  # WeasyPrint prints PNG, JPEG, GIF, WebP, SVG: no AVIF (saves libavif, 4.7 MB)
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtDBus",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtPrintSupport",
)

# Loaded by name at run time, invisible to PyInstaller's import scan.
HIDDEN_IMPORTS = (
    "alembic.context",
    "alembic.op",
    "alembic.ddl.sqlite",
    "reviewer.core.store.tables",
    "PySide6.QtPdf",
    "PySide6.QtSvg",
)

# Qt plugins the app needs on Linux; every other collected plugin is dropped after analysis.
QT_PLUGINS_KEEP = (
    "platforms/libqxcb.so",
    "platforms/libqoffscreen.so",
    "platforms/libqwayland.so",
    "platformthemes/libqxdgdesktopportal.so",  # not libqgtk3: it needs GTK, which is not bundled
    "platforminputcontexts/",
    "xcbglintegrations/",
    "iconengines/",
    "imageformats/libqsvg.so",
    "imageformats/libqpng",
    "imageformats/libqico.so",
    "imageformats/libqjpeg.so",
    "imageformats/libqpdf.so",
    "wayland-shell-integration/",
    "wayland-decoration-client/",
    "wayland-graphics-integration-client/",
)


def version() -> str:
    text = (ROOT / "reviewer" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("no __version__ in reviewer/__init__.py")
    return match.group(1)


def datas() -> list[tuple[str, str]]:
    """(source, folder in the bundle): the app's data files, the Alembic scripts, the fonts."""
    items = [
        (str(ROOT / "reports"), "reports"),
        (str(ROOT / "resources"), "resources"),
        # Alembic reads env.py and versions/*.py as files (script_location), not as imported modules
        (str(ROOT / "reviewer" / "core" / "store" / "migrations"), "reviewer/core/store/migrations"),
        (str(ROOT / "installer" / "fonts.conf"), "resources/fonts"),
    ]
    if sys.platform.startswith("linux"):
        items += [(str(FONT_DIR / name), "resources/fonts") for name in FONTS]
        items.append((str(FONT_LICENCE), "resources/fonts/LICENSE-DejaVu"))
    return items


def _ldconfig_paths() -> dict[str, str]:
    try:
        output = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=True, env={**os.environ, "LC_ALL": "C"}
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    found: dict[str, str] = {}
    for line in output.splitlines():
        match = re.match(r"\s*(\S+) \((?:libc6,x86-64|libc6,AArch64|libc6)[^)]*\) => (\S+)", line)
        if match:
            found.setdefault(match.group(1), match.group(2))
    return found


def find_linux_libs(names=WEASYPRINT_LIBS) -> list[tuple[str, str]]:
    """(path, ".") for each library, from ldconfig's cache or the usual folders; exits if one is missing."""
    cache = _ldconfig_paths()
    folders = [Path("/lib/x86_64-linux-gnu"), Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib64"), Path("/usr/lib")]
    result, missing = [], []
    for name in names:
        path = cache.get(name) or next((str(f / name) for f in folders if (f / name).is_file()), None)
        if path:
            result.append((path, "."))  # the soname, as dlopen asks for it
        else:
            missing.append(name)
    if missing:
        raise SystemExit(
            f"bundle: WeasyPrint's libraries are missing on this machine: {', '.join(missing)} "
            "(run installer/system-packages.sh bundle)"
        )
    return result


def keep_qt_plugin(dest: str) -> bool:
    """False for a Qt plugin the app does not need (dest is the path inside the bundle)."""
    marker = "/Qt/plugins/"
    if marker not in dest.replace(os.sep, "/"):
        return True
    plugin = dest.replace(os.sep, "/").split(marker, 1)[1]
    return any(plugin.startswith(prefix) for prefix in QT_PLUGINS_KEEP)
