"""Writing a file the user asked for (a report, a brief): whole or not at all.

The bytes go to a temporary file beside the target, which then replaces it: a full disk or a
file-size limit never leaves a truncated PDF, nor destroys the file that was there (a link there is
replaced, not written through). A device or a pipe is written as it is. A failure is
raised as the StoreError that says it in one sentence (errors.cannot_write).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .store.errors import cannot_write

# the permissions a new file gets (mkstemp makes its file private): read once, at import
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_output(target: Path, data: bytes) -> None:
    temporary: str | None = None
    try:
        if target.exists() and not target.is_file():  # a device or a pipe (-o /dev/stdout): as it is
            with target.open("wb") as stream:
                stream.write(data)
            return
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=target.parent)
        os.fchmod(handle, 0o666 & ~_UMASK)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise cannot_write(target, error) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
