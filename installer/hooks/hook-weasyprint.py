"""Replaces pyinstaller-hooks-contrib's hook for WeasyPrint (a hook in hookspath wins over the stock
one). The stock hook looks Pango, HarfBuzz and fontconfig up with ctypes.util.find_library inside a
single try block and only logs a warning when that fails, leaving them out of the bundle without a
sound. protocol-reviewer.spec names the libraries itself (bundle_layout.WEASYPRINT_LIBS) and the
build stops if one is missing; this hook only collects WeasyPrint's own data files (its default CSS).
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("weasyprint")
