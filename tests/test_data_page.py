"""The Data page through Streamlit's AppTest on the tiny fixture: viewers see the
history but cannot change data; a local editor signs in, checks and loads a
corrected file, every page shows it, and an undo from the page brings back the
numbers before it exactly; a broken file is listed problem by problem and
changes nothing; the sign-in settings are all documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access.passwords import hash_password
from data_access.store import make_engine
from tests.conftest import TINY, data_version, table_rows
from ui import auth

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
DATA_PAGE, OVERVIEW = "pages/data.py", "pages/home.py"
PASSWORD = "correct horse battery"
# Few iterations keep the tests fast; verify_password reads the count from the stored hash.
LOCAL_EDITORS = {"Ana Planner": hash_password(PASSWORD, iterations=1_000)}
OIDC_SECRETS = {  # single sign-on set up, one editor listed
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test",
        "client_id": "test",
        "client_secret": "test",
        "server_metadata_url": "https://sso.bureau.example/.well-known/openid-configuration",
    },
    "dashboard": {"editors": ["planner@bureau.example"]},
}
CORRECTED_ENROLMENTS = b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,41\n"
BROKEN_ENROLMENTS = b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,-3\n2024,I9,P1,10,2\n"


def open_data_page(*, local_editors: dict | None = None, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    if local_editors is not None:
        app.secrets["dashboard"] = {"local_editors": local_editors}
    for section, values in (secrets or {}).items():
        app.secrets[section] = values
    if user is not None:
        app.user = user
    app.run()
    return app.switch_page(DATA_PAGE).run()


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def labels(app: AppTest) -> list[str]:
    return [b.label for b in app.button]


def sign_in(app: AppTest, name: str = "Ana Planner", password: str = PASSWORD) -> AppTest:
    app.text_input(key="sign_in_name").set_value(name)
    app.text_input(key="sign_in_password").set_value(password)
    return button(app, "Sign in").click().run()


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    app.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    return app.run()


def shown_table(app: AppTest, first_column: str):
    """The first table on the page whose first column is ``first_column`` (previews come before results)."""
    return next(d.value for d in app.dataframe if list(d.value.columns)[:1] == [first_column])


def graduates_2024(app: AppTest) -> str:
    app.switch_page(OVERVIEW).run()
    assert not app.exception
    return next(m.value for m in app.metric if m.label == "Graduates (2024)")


def test_a_viewer_sees_the_history_and_no_load_or_undo_button(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    assert not app.exception
    history = shown_table(app, "version")
    assert list(history["version"]) == [1] and history.loc[0, "change"] == "add or correct"
    assert "enrolments.csv" in history.loc[0, "files"]
    assert "Sign in" in labels(app)
    assert not any(label.startswith(("Load", "Undo")) for label in labels(app))

    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    button(app, "Check files").click().run()
    assert any("No problems" in s.value for s in app.success)  # anyone may check a file
    assert not any(label.startswith("Load") for label in labels(app))
    assert any("Sign in as an editor" in i.value for i in app.info)


def test_without_any_editor_configured_the_page_says_loading_is_off_and_how_to_turn_it_on(app_url):
    app = open_data_page()  # no secrets file at all
    assert not app.exception and not app.error
    notice = app.info[0].value
    assert "off" in notice and "Who may change data" in notice and "ask the person who runs the dashboard" in notice
    assert "python -m" not in notice and "secrets" not in notice  # said in README, not to a planner
    assert "Sign in" not in labels(app)


def test_a_local_editor_signs_in_with_the_right_password_and_a_wrong_one_is_refused(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    sign_in(app, password="wrong password")
    assert not app.exception
    assert any("do not match an editor" in e.value for e in app.error)
    assert "Sign out" not in labels(app)

    sign_in(app, name="ana planner")  # names are matched regardless of case
    assert not app.exception
    assert any("Ana Planner" in c.value and "editor" in c.value for c in app.caption)
    assert "Sign out" in labels(app) and "Undo the latest load (version 1)" in labels(app)

    button(app, "Sign out").click().run()
    assert "Sign in" in labels(app) and "Undo the latest load (version 1)" not in labels(app)


def test_five_wrong_passwords_make_the_session_wait(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    for _ in range(auth.MAX_FAILURES):
        sign_in(app, password="guess")
    assert any("Too many wrong passwords" in w.value for w in app.warning)
    assert button(app, "Sign in").disabled


def test_an_editor_loads_a_corrected_file_every_page_shows_it_and_undo_restores_the_number_exactly(app_url):
    engine = make_engine(app_url)
    app = open_data_page(local_editors=LOCAL_EDITORS)
    before_rows, before_version = table_rows(engine), data_version(engine)
    assert graduates_2024(app) == "35"

    app.switch_page(DATA_PAGE).run()
    sign_in(app)
    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    button(app, "Check files").click().run()
    assert any("No problems: 1 row ready to load" in s.value for s in app.success)
    button(app, "Load 1 row").click().run()
    assert not app.exception
    assert data_version(engine) == before_version + 1
    assert any(f"Every page now shows data version {before_version + 1}" in s.value for s in app.success)
    counts = shown_table(app, "table")
    assert counts.loc[0, "table"] == "enrolments" and counts.loc[0, "updated"] == 1 and counts.loc[0, "added"] == 0
    history = shown_table(app, "version")
    assert history.loc[0, "who"] == "Ana Planner" and history.loc[0, "files"] == "enrolments.csv"
    assert graduates_2024(app) == "41"

    app.switch_page(DATA_PAGE).run()
    undo = button(app, f"Undo the latest load (version {before_version + 1})")
    assert undo.disabled  # only after the confirmation
    app.checkbox(key=f"undo_sure_{before_version + 1}").check().run()
    button(app, f"Undo the latest load (version {before_version + 1})").click().run()
    assert not app.exception
    assert data_version(engine) == before_version + 2
    history = shown_table(app, "version")
    assert history.loc[0, "change"] == f"undo of version {before_version + 1}"
    assert history.loc[1, "undone_by"] == before_version + 2
    assert table_rows(engine) == before_rows
    assert graduates_2024(app) == "35"


def test_a_replacing_load_from_the_page_can_be_undone_back_to_every_row_before_it(app_url):
    engine = make_engine(app_url)
    before_rows = table_rows(engine)
    files = [(path.name, path.read_bytes()) for path in sorted(TINY.glob("*.csv")) if path.name != "demand.csv"]
    app = open_data_page(local_editors=LOCAL_EDITORS)
    sign_in(app)
    upload(app, *files)
    app.checkbox[0].check().run()
    button(app, "Check files").click().run()
    button(app, f"Replace all data with {sum(before_rows.values()) - before_rows['demand']} rows").click().run()
    assert not app.exception
    assert table_rows(engine) == {**before_rows, "demand": 0}
    assert shown_table(app, "version").loc[0, "change"] == "replace all data"

    app.checkbox(key="undo_sure_2").check().run()
    button(app, "Undo the latest load (version 2)").click().run()
    assert not app.exception
    assert table_rows(engine) == before_rows
    assert graduates_2024(app) == "35"


def test_the_page_never_shows_a_password_hash(app_url):
    app = sign_in(open_data_page(local_editors=LOCAL_EDITORS))
    shown = [
        str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "success", "code") for e in app.get(kind)
    ]
    assert shown and not any("pbkdf2" in text or PASSWORD in text for text in shown)


def test_a_broken_file_shows_every_problem_with_file_line_column_and_loads_nothing(app_url):
    engine = make_engine(app_url)
    before_rows, before_version = table_rows(engine), data_version(engine)
    app = open_data_page(local_editors=LOCAL_EDITORS)
    sign_in(app)
    upload(app, ("enrolments.csv", BROKEN_ENROLMENTS))
    button(app, "Check files").click().run()
    assert not app.exception
    assert any("2 problem(s)" in e.value for e in app.error)
    problems = shown_table(app, "file")
    assert list(problems.columns) == ["file", "line", "column", "problem"]
    assert problems.values.tolist() == [
        ["enrolments.csv", 2, "graduates", "expected a whole number of 0 or more, found '-3'"],
        [
            "enrolments.csv",
            3,
            "institution_id",
            "unknown institution_id 'I9': expected one of the institution_id "
            "values of institutions.csv in this load or already stored",
        ],
    ]
    assert any(d.label == "Download the problems (CSV)" for d in app.get("download_button"))
    assert not any(label.startswith("Load") for label in labels(app))
    assert table_rows(engine) == before_rows and data_version(engine) == before_version


def test_a_file_whose_name_names_no_table_is_checked_only_after_its_table_is_chosen(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    upload(app, ("graduates 2024 final.csv", CORRECTED_ENROLMENTS))
    assert any("Choose the table of graduates 2024 final.csv" in w.value for w in app.warning)
    assert button(app, "Check files").disabled
    app.selectbox[0].set_value("enrolments").run()
    button(app, "Check files").click().run()
    assert any("No problems" in s.value for s in app.success)


def test_replace_all_data_warns_before_anything_is_checked(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    app.checkbox[0].check().run()
    assert any("tables without a file here will be empty" in w.value for w in app.warning)
    button(app, "Check files").click().run()  # a replacing load ignores stored rows: the references break
    assert any("in this load (a replacing load ignores stored rows)" in p for p in shown_table(app, "file")["problem"])


def test_a_single_sign_on_account_is_an_editor_only_when_listed(app_url):
    pytest.importorskip("authlib", reason="st.login needs Authlib")
    listed = open_data_page(
        secrets=OIDC_SECRETS, user={"is_logged_in": True, "email": "Planner@Bureau.example", "email_verified": True}
    )
    assert not listed.exception
    assert "Undo the latest load (version 1)" in labels(listed) and "Sign out" in labels(listed)

    other = open_data_page(
        secrets=OIDC_SECRETS, user={"is_logged_in": True, "email": "visitor@bureau.example", "email_verified": True}
    )
    assert any("not on the list of editors" in w.value for w in other.warning)
    assert not any(label.startswith("Undo") for label in labels(other))

    nobody = open_data_page(secrets=OIDC_SECRETS, user={"is_logged_in": False})
    assert "Sign in with your bureau account" in labels(nobody)


def test_every_sign_in_setting_is_documented_in_the_example_secrets_file():
    text = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    tomllib.loads(text)  # what is not commented out parses
    for section in (auth.AUTH_SECTION, auth.DASHBOARD_SECTION, f"{auth.DASHBOARD_SECTION}.{auth.LOCAL_EDITORS_KEY}"):
        assert re.search(rf"^#? ?\[{re.escape(section)}\]$", text, re.MULTILINE), section
    for setting in (*auth.OIDC_SETTINGS, auth.EDITORS_KEY, auth.TRUST_UNVERIFIED_EMAIL_KEY):
        assert re.search(rf"^#? ?{setting} = ", text, re.MULTILINE), setting
    assert "python -m data_access hash-password" in text
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_latin1_file_previews_with_the_names_that_will_be_stored(app_url):
    app = open_data_page()
    upload(app, ("regions.csv", "region_code,region_name\nR7,Zürich\nR8,Genève-Lès\n".encode("cp1252")))
    assert not app.exception
    assert list(shown_table(app, "region_code")["region_name"]) == ["Zürich", "Genève-Lès"]
