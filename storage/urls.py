"""Database URLs as they may be shown: the one place that hides their secrets.

Every message, run record, report and Prefect parameter that names a database goes through
:func:`mask_url`. It reads the URL the way SQLAlchemy will (``make_url``), so that what it
hides is exactly the password SQLAlchemy would send, wherever that password ends: a password
may hold ``?``, ``/`` or ``:`` (SQLAlchemy takes everything up to the first ``@``). It lives
in ``storage`` so that ``flows`` and ``reports`` may import it too (they import ``storage``,
never the other way round).

>>> mask_url("postgresql+psycopg://postgres:S3c?r3tB@host/db")
'postgresql+psycopg://postgres:***@host/db'
>>> mask_url("sqlite:///Interviews [draft]/wiretrace.db")
'sqlite:///Interviews [draft]/wiretrace.db'
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from sqlalchemy.engine import URL, make_url

HIDDEN = "***"
# Query parameters that carry credentials (libpq's password and sslpassword, tokens, keys).
SECRET_PARAMETER = re.compile(r"(?i)([?&](?=[^=&#]*(?:pass|pwd|secret|token|key))[^=&#]*+=)[^&#]*+")


def _parsed(url: str) -> URL | None:
    try:
        return make_url(url)
    except Exception:  # not a URL SQLAlchemy can read: shown with the cautious fallback
        return None


def unescaped_at(parsed: URL) -> bool:
    """Whether an ``@`` is left in the host or database: SQLAlchemy ended the credentials at
    the first ``@``, so the text before the last one may be the rest of a password (``u:p@ss
    @host``). SQLite file names may hold an ``@``."""
    places = [parsed.host or ""]
    if parsed.get_backend_name() != "sqlite":
        places.append(parsed.database or "")
    return any("@" in place for place in places)


def mask_url(url: str) -> str:
    """``url`` with its password and credential query values replaced by ``***``.

    The password is the one SQLAlchemy parses (``make_url(url).render_as_string(
    hide_password=True)``); where an ``@`` is left after it (an unescaped ``@`` in the
    password), everything before the last ``@`` is hidden, user included. A URL without
    secrets is shown as it was written. Idempotent.

    >>> mask_url("postgresql://u:pw@host/db?sslmode=require&sslpassword=x")
    'postgresql://u:***@host/db?sslmode=require&sslpassword=***'
    >>> mask_url("postgresql://u:p@ss/w@host/db")
    'postgresql://***@host/db'
    >>> mask_url("not a url u:pw@x"), mask_url("wiretrace.db")
    ('***@x', 'wiretrace.db')
    >>> mask_url(mask_url("postgresql://u:pw@host/db")) == mask_url("postgresql://u:pw@host/db")
    True
    """
    parsed = _parsed(url)
    if parsed is None:
        shown = f"{HIDDEN}@{url.rpartition('@')[2]}" if "@" in url else url
    elif unescaped_at(parsed):
        shown = f"{parsed.drivername}://{HIDDEN}@{url.rpartition('@')[2]}"
    elif parsed.password is None:
        shown = url
    else:
        shown = parsed.render_as_string(hide_password=True)
    return SECRET_PARAMETER.sub(rf"\1{HIDDEN}", shown)


def url_secrets(url: str) -> set[str]:
    """Every spelling of the secrets in ``url`` (password as written and as parsed, credential
    query values raw and decoded), to scrub from a driver's error message."""
    found: set[str] = set()
    for match in SECRET_PARAMETER.finditer(url):
        value = match.group(0).split("=", 1)[1]
        found |= {value, unquote_plus(value)}
    parsed = _parsed(url)
    if parsed is not None and parsed.password is not None:
        found.add(str(parsed.password))
        # Written form: from the colon after the user to the last '@' (covers an unescaped '@').
        authority = url.split("://", 1)[-1].rpartition("@")[0]
        if ":" in authority:
            found.add(authority.split(":", 1)[1])
    return {secret for secret in found if secret and secret != HIDDEN}
