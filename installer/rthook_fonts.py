"""PyInstaller run-time hook: point the bundled fontconfig at the bundle's fonts.conf (system fonts
plus resources/fonts) before Qt or WeasyPrint load it. A FONTCONFIG_FILE the user set is kept."""

import os
import sys

_conf = os.path.join(sys._MEIPASS, "resources", "fonts", "fonts.conf")
if os.path.isfile(_conf) and not os.environ.get("FONTCONFIG_FILE"):
    os.environ["FONTCONFIG_FILE"] = _conf
