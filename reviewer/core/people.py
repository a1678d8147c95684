"""Who the person at this computer is, as far as the system says: the name to sign notes and reports
with when they have not given one."""

from __future__ import annotations

import getpass
import os


def system_full_name() -> str:
    """The user's full name as the system knows it (the first field of the passwd entry's GECOS);
    empty where there is none, or where it is only the login name ("root" included): a login is not
    a signature."""
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos or ""
    except (ImportError, KeyError, OSError):  # no pwd module (Windows) or no entry for this uid
        return ""
    name = " ".join(gecos.split(",")[0].split())
    try:
        login = getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        login = ""
    if not name or name.casefold() in {login.casefold(), "root"}:
        return ""
    return name
