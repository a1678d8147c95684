"""Renders resources/icons/app.svg into build/icons/: hicolor PNGs (Linux), .ico (Windows), .icns (macOS).

Uses Qt's own SVG renderer and image writers (offscreen), so it needs nothing beyond the app's env.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "app.svg"))
    if not renderer.isValid():
        print("make_icons: resources/icons/app.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(folder / "protocol-reviewer.png"), "PNG"):
            return 1
    scalable = out / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    (scalable / "protocol-reviewer.svg").write_bytes((ROOT / "resources" / "icons" / "app.svg").read_bytes())
    render(renderer, 256).save(str(out / "protocol-reviewer.ico"), "ICO")
    render(renderer, 512).save(str(out / "protocol-reviewer.icns"), "ICNS")
    print(f"make_icons: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
