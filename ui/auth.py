"""Who may change data. Viewing needs no sign-in; loading and undoing need an editor.

An editor is either an account of the bureau's single sign-on (Streamlit's
``st.login``, OpenID Connect, configured in the ``[auth]`` section of Streamlit
secrets) whose e-mail address is listed in ``[dashboard] editors``, or, for a
bureau without single sign-on, a name in ``[dashboard.local_editors]`` with the
salted hash of its password (made by ``python -m data_access hash-password``).
Every setting is described in ``.streamlit/secrets.example.toml``.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Mapping

import streamlit as st

from data_access.sign_in import FREE_FAILURES, SignInUnavailable, sign_in

from .context import dashboard_engine
from .i18n import t

# Secrets read here (tests/test_data_page.py checks each is documented in .streamlit/secrets.example.toml).
AUTH_SECTION = "auth"  # Streamlit's own OpenID Connect section
DASHBOARD_SECTION = "dashboard"
EDITORS_KEY = "editors"  # e-mail addresses of single sign-on accounts that may load and undo
LOCAL_EDITORS_KEY = "local_editors"  # name = "pbkdf2_sha256$..." for a bureau without single sign-on
OIDC_SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")

MAX_FAILURES = FREE_FAILURES  # wrong passwords in a row before a name has to wait (counted on the server)
_EDITOR = "data_local_editor"  # session state: the local editor signed in this session
_LOCKED_UNTIL = "data_sign_in_locked_until"  # session state: until when the server said to wait (greys the form)


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


def _signed_in_account() -> str | None:
    """The e-mail address of the single sign-on account of this session, if signed in."""
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return None
    return str(user.get("email") or "").strip() or None


def editor_name() -> str | None:
    """Who is signed in as an editor this session (recorded as ``loaded_by``), else None."""
    if single_sign_on_configured():
        account = _signed_in_account()
        return account if account and account.lower() in editor_accounts() else None
    name = st.session_state.get(_EDITOR)
    return name if name in local_editors() else None  # an editor removed from secrets is signed out


def render_sign_in() -> None:
    """Draw the sign-in of the Data page: single sign-on, the local form, or why loading is off."""
    if single_sign_on_configured():
        _single_sign_on()
    elif local_editors():
        _local_sign_in()
    else:
        st.info(t("auth.off", readme=t("auth.readme_section")), icon=":material/lock:")


def _single_sign_on() -> None:
    if importlib.util.find_spec("authlib") is None:  # st.login needs it
        st.error(t("auth.authlib_missing", readme=t("auth.readme_section")))
        return
    account = _signed_in_account()
    if account is None:
        st.caption(t("auth.sso_caption"))
        st.button(t("auth.sso_sign_in"), icon=":material/login:", on_click=_login, key="sign_in_sso")
        return
    if account.lower() in editor_accounts():
        st.caption(t("auth.signed_in", name=account))
    else:
        st.warning(t("auth.not_an_editor", account=account, readme=t("auth.readme_section")))
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
            st.rerun()
        return
    wait = math.ceil(st.session_state.get(_LOCKED_UNTIL, 0) - time.time())
    with st.form("sign_in_local", border=True):
        st.markdown(t("auth.form_intro"))
        left, right = st.columns(2)
        given_name = left.text_input(t("auth.editor_name"), key="sign_in_name")
        password = right.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"), icon=":material/login:", disabled=wait > 0)
    if wait > 0:
        st.warning(t("auth.wait", seconds=wait) if wait <= 90 else t("auth.wait_minutes", minutes=math.ceil(wait / 60)))
    elif submitted:
        _check_password(given_name.strip(), password)


def _check_password(given_name: str, password: str) -> None:
    """Sign the local editor in, or say why not. The server counts wrong passwords per name, for every
    tab and process, and refuses a name that must wait before checking anything (data_access.sign_in)."""
    try:
        result = sign_in(dashboard_engine(), name=given_name, password=password, editors=local_editors())
    except SignInUnavailable as error:
        st.error(t("auth.unavailable", error=str(error)))
        return
    if result.editor:
        st.session_state[_EDITOR] = result.editor
        st.rerun()
    if result.wait_seconds:
        st.session_state[_LOCKED_UNTIL] = time.time() + result.wait_seconds
        st.rerun()
    st.error(t("auth.no_match", left=result.tries_left))
