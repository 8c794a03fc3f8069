"""Salted password hashes for the local editor sign-in (bureaus without single sign-on).

Only the hash is ever stored (in Streamlit secrets), in the form
``pbkdf2_sha256$ITERATIONS$SALT$HASH`` (salt and hash in hex).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: str | None = None) -> str:
    """A salted PBKDF2-SHA256 hash of ``password`` to put in the secrets file."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), iterations)
    return f"{ALGORITHM}${iterations}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (a value made by ``hash_password``); never raises."""
    try:
        algorithm, iterations, salt, expected = stored.split("$")
        if algorithm != ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


# --- staying signed in for the browser session ---------------------------------------------------

SESSION_SECONDS = 12 * 60 * 60  # a token is good for a working day, whatever the browser keeps
_CLOCK_SKEW = 60  # seconds a token's time may lie ahead of the server's (several processes, several clocks)


def session_token(name: str, stored: str, issued: int) -> str:
    """A token that keeps the editor ``name`` signed in (kept by the browser in a cookie for its session):
    the name, when it was issued (Unix seconds) and an HMAC-SHA256 of both keyed by the editor's stored
    hash. Only the server knows that hash, every app process reads the same one, and a new password
    makes every earlier token worthless."""
    encoded = base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")
    return f"{encoded}.{issued}.{_token_mac(name, stored, issued)}"


def token_holder(token: str | None, editors: Mapping[str, str], now: int) -> str | None:
    """The editor a ``session_token`` signs in (one of ``editors``, name -> stored hash) when it is genuine,
    at most ``SESSION_SECONDS`` old at ``now`` and its editor still has the hash it was made with; else None.
    Never raises: a cookie is the browser's to send."""
    try:
        encoded, issued_text, mac = str(token).split(".")
        name = base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
        issued = int(issued_text)
    except (ValueError, UnicodeError):
        return None
    stored = editors.get(name)
    if stored is None or not -_CLOCK_SKEW <= now - issued <= SESSION_SECONDS:
        return None
    return name if hmac.compare_digest(mac, _token_mac(name, stored, issued)) else None


def _token_mac(name: str, stored: str, issued: int) -> str:
    return hmac.new(stored.encode("utf-8"), f"{name}\n{issued}".encode(), hashlib.sha256).hexdigest()
