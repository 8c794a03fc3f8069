"""Who may change data. Viewing needs no sign-in; loading and undoing need an editor.

An editor is either an account of the bureau's single sign-on (Streamlit's
``st.login``, OpenID Connect, configured in the ``[auth]`` section of Streamlit
secrets) whose e-mail address is listed in ``[dashboard] editors``, or, for a
bureau without single sign-on, a name in ``[dashboard.local_editors]`` with the
salted hash of its password (made by ``python -m data_access hash-password``).
Every setting is described in ``.streamlit/secrets.example.toml``.

A single sign-on account counts only when its provider says that the e-mail address is verified
(``email_verified``): a provider that lets people choose an address would otherwise let anyone claim an
editor's. A bureau whose provider never sends the claim may trust its addresses without it
(``[dashboard] trust_unverified_email = true``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from data_access.passwords import session_token, token_holder
from data_access.sign_in import NAME_LIMIT, Scope, SignInUnavailable, sign_in

from .context import dashboard_engine
from .i18n import t

# Secrets read here (tests/test_data_page.py checks each is documented in .streamlit/secrets.example.toml).
AUTH_SECTION = "auth"  # Streamlit's own OpenID Connect section
DASHBOARD_SECTION = "dashboard"
EDITORS_KEY = "editors"  # e-mail addresses of single sign-on accounts that may load and undo
LOCAL_EDITORS_KEY = "local_editors"  # name = "pbkdf2_sha256$..." for a bureau without single sign-on
TRUST_UNVERIFIED_EMAIL_KEY = "trust_unverified_email"  # true: an address without email_verified = true counts too
OIDC_SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")

MAX_FAILURES = NAME_LIMIT.free  # wrong passwords in a row before a name has to wait (counted on the server)
_EDITOR = "data_local_editor"  # session state: the local editor signed in this session
_LOCKED_UNTIL = "data_sign_in_locked_until"  # session state: until when the server said to wait (greys the form)
_HELD_BY = "data_sign_in_held_by"  # session state: which limit the server said holds the attempt (name, address, everyone)
_SIGNED_OUT = "data_signed_out"  # session state: signed out in this session (the cookie it started with no longer counts)
_COOKIE_WRITE = "data_cookie_write"  # session state: the cookie value to give the browser on the next run ("" removes it)
COOKIE = "vet_editor"  # the browser-session cookie that keeps a local editor signed in (data_access.passwords.session_token)


def _secret_section(name: str, within: Mapping | None = None) -> Mapping:
    """A section of Streamlit secrets, empty when there is none (no secrets file is not an error)."""
    try:
        section = (within if within is not None else st.secrets).get(name)
    except Exception:  # st.secrets raises when no secrets file exists or it cannot be parsed
        return {}
    return section if isinstance(section, Mapping) else {}


def single_sign_on_configured() -> bool:
    """True when the ``[auth]`` section of Streamlit secrets configures OpenID Connect."""
    return bool(_secret_section(AUTH_SECTION))


def editor_accounts() -> set[str]:
    """Single sign-on e-mail addresses allowed to change data, in lower case."""
    listed = _secret_section(DASHBOARD_SECTION).get(EDITORS_KEY) or []
    return {str(address).strip().lower() for address in ([listed] if isinstance(listed, str) else listed)}


def local_editors() -> dict[str, str]:
    """Local editor names and their password hashes (used only without single sign-on)."""
    section = _secret_section(LOCAL_EDITORS_KEY, _secret_section(DASHBOARD_SECTION))
    return {str(name): str(stored) for name, stored in section.items()}


@dataclass(frozen=True)
class SingleSignOnAccount:
    """The single sign-on account of a session, as far as loading and undoing are concerned."""

    email: str | None  # None when signed out (or the provider gave no address)
    listed: bool  # the address is in [dashboard] editors (without regard to case)
    verified: bool  # the provider says the address is verified, or the bureau trusts unverified ones

    @property
    def is_editor(self) -> bool:
        return self.email is not None and self.listed and self.verified


def email_verified(claim: object) -> bool:
    """True when an ``email_verified`` claim says yes: the JSON true, or the text "true" that some providers
    send. Absent, false or anything else is not verified."""
    return claim is True or (isinstance(claim, str) and claim.strip().casefold() == "true")


def single_sign_on_account(user: Mapping, *, editors: set[str], trust_unverified_email: bool) -> SingleSignOnAccount:
    """What the claims of ``user`` (``st.user``) make of its account: an editor only when its e-mail address is
    in ``editors`` and the provider says it is verified (unless ``trust_unverified_email``)."""
    email = str(user.get("email") or "").strip() if user.get("is_logged_in") else ""
    return SingleSignOnAccount(
        email=email or None,
        listed=email.lower() in editors,
        verified=trust_unverified_email or email_verified(user.get("email_verified")),
    )


def trusts_unverified_email() -> bool:
    """True when ``[dashboard] trust_unverified_email = true``: for a provider that never sends email_verified."""
    return _secret_section(DASHBOARD_SECTION).get(TRUST_UNVERIFIED_EMAIL_KEY) is True


def _account() -> SingleSignOnAccount:
    """The single sign-on account of this session."""
    return single_sign_on_account(st.user.to_dict(), editors=editor_accounts(), trust_unverified_email=trusts_unverified_email())


def editor_name() -> str | None:
    """Who is signed in as an editor this session (recorded as ``loaded_by``), else None."""
    if single_sign_on_configured():
        account = _account()
        return account.email if account.is_editor else None
    editors = local_editors()
    name = st.session_state.get(_EDITOR)
    if name is None and not st.session_state.get(_SIGNED_OUT):  # a reload, a bookmark, another tab: the cookie
        name = token_holder(_cookie(), editors, int(time.time()))
        if name is not None:
            st.session_state[_EDITOR] = name
    return name if name in editors else None  # an editor removed from secrets is signed out


def _cookie() -> str | None:
    """The sign-in cookie the browser sent when this session started, if any."""
    try:
        cookies = st.context.cookies
        value = cookies.get(COOKIE) if isinstance(cookies, Mapping) else None
    except Exception:  # no browser (AppTest's stand-in runtime)
        return None
    return value if isinstance(value, str) else None


def client_address() -> str | None:
    """The address the browser connects from, as the server sees it: None on this computer (or unknown). Behind
    a reverse proxy it is the proxy's address, unless the proxy passes the browser's on (README)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest's stand-in runtime gives a mock


def render_account() -> None:
    """The sidebar's account area, on every page: who is signed in, with a sign-out, or the sign-in (single
    sign-on, or the local form folded away); nothing when no editor is set up. A local editor stays signed
    in for the browser session (a cookie, data_access.passwords.session_token): a reload or a bookmark keeps
    the sign-in, and Sign out ends it in every tab."""
    _write_cookie()
    if single_sign_on_configured():
        _single_sign_on()
    elif local_editors():
        _local_sign_in()


def render_sign_in_note() -> None:
    """On the Data page: why loading is off when no editor is set up, else where to sign in (the sidebar)."""
    if not single_sign_on_configured() and not local_editors():
        st.info(t("auth.off", readme=t("auth.readme_section")), icon=":material/lock:")
    elif editor_name() is None:
        st.caption(t("auth.sidebar_hint"))


def _write_cookie() -> None:
    """Give the browser the cookie a sign-in or a sign-out of the last run asked for (a script: the server
    cannot set a cookie on Streamlit's connection)."""
    value = st.session_state.pop(_COOKIE_WRITE, None)
    if value is None:
        return
    lifetime = "" if value else "; Max-Age=0"
    st.html(
        "<script>(() => { const secure = location.protocol === 'https:' ? '; Secure' : ''; "
        f"document.cookie = {json.dumps(f'{COOKIE}={value}; Path=/; SameSite=Strict{lifetime}')} + secure; }})();</script>",
        unsafe_allow_javascript=True,
    )


def _single_sign_on() -> None:
    if importlib.util.find_spec("authlib") is None:  # st.login needs it
        st.error(t("auth.authlib_missing", readme=t("auth.readme_section")))
        return
    account = _account()
    if account.email is None:
        st.caption(t("auth.sso_caption"))
        st.button(t("auth.sso_sign_in"), icon=":material/login:", on_click=_login, key="sign_in_sso")
        return
    if account.is_editor:
        st.caption(t("auth.signed_in", name=account.email))
    elif not account.listed:
        st.warning(t("auth.not_an_editor", account=account.email, readme=t("auth.readme_section")))
    else:
        st.warning(t("auth.unverified_email", account=account.email, readme=t("auth.readme_section")))
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=st.logout, key="sign_out_sso")


def _login() -> None:
    """Start the single sign-on: the default provider, or the only one named in ``[auth.NAME]``."""
    auth = _secret_section(AUTH_SECTION)
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    st.login(named[0] if "client_id" not in auth and len(named) == 1 else None)


def _local_sign_in() -> None:
    name = editor_name()
    if name:
        st.caption(t("auth.signed_in", name=name))
        if st.button(t("auth.sign_out"), icon=":material/logout:", key="sign_out_local"):
            del st.session_state[_EDITOR]
            st.session_state[_SIGNED_OUT] = True
            st.session_state[_COOKIE_WRITE] = ""
            st.rerun()
        return
    wait = math.ceil(st.session_state.get(_LOCKED_UNTIL, 0) - time.time())
    with st.expander(t("auth.account"), icon=":material/person:"), st.form("sign_in_local", border=False):
        st.caption(t("auth.form_intro"))
        given_name = st.text_input(t("auth.editor_name"), key="sign_in_name")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"), icon=":material/login:", disabled=wait > 0)
    if wait > 0:
        st.warning(_wait_message(st.session_state.get(_HELD_BY, Scope.NAME), wait))
    elif submitted:
        _check_password(given_name.strip(), password)


def _wait_message(held_by: str, wait: int) -> str:
    """Why the form waits and for how long: too many wrong passwords for this name, from this address, or everywhere."""
    key = f"auth.wait_{Scope(held_by).value}"
    return t(key, seconds=wait) if wait <= 90 else t(f"{key}_minutes", minutes=math.ceil(wait / 60))


def _check_password(given_name: str, password: str) -> None:
    """Sign the local editor in, or say why not. The server counts wrong passwords per name, per client address
    and for everyone, for every tab and process, and refuses an attempt that a limit holds before checking
    anything (data_access.sign_in)."""
    try:
        result = sign_in(
            dashboard_engine(), name=given_name, password=password, editors=local_editors(), address=client_address()
        )
    except SignInUnavailable as error:
        st.error(t("auth.unavailable", error=str(error)))
        return
    if result.editor:
        st.session_state[_EDITOR] = result.editor
        st.session_state.pop(_SIGNED_OUT, None)
        st.session_state[_COOKIE_WRITE] = session_token(result.editor, local_editors()[result.editor], int(time.time()))
        st.rerun()
    if result.wait_seconds:
        st.session_state[_LOCKED_UNTIL] = time.time() + result.wait_seconds
        st.session_state[_HELD_BY] = (result.held_by or Scope.NAME).value
        st.rerun()
    st.error(t("auth.no_match", left=result.tries_left))
