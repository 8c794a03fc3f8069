"""Next year's figures through the browser: an editor uploads a file, every page shows it,
and undo gives exactly the old numbers back."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import EDITOR_PASSWORD

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def corrected_enrolments(folder: Path) -> Path:
    """enrolments.csv with one 2025 row's graduates raised by 100 (INS001/P014: 46 -> 146)."""
    path = folder / "enrolments.csv"
    path.write_text("year,institution_id,program_code,enrolled,graduates\n2025,INS001,P014,161,146\n", encoding="utf-8")
    return path


def data_version(app) -> int:
    """The data version the sidebar caption says."""
    return int(re.search(r"data version (\d+)", app.caption()).group(1))


def graduates(app) -> int:
    app.nav("Overview")
    label, value = app.metric("Graduates")
    assert label == "Graduates (2025)"
    return int(value.replace(",", ""))


def sign_in(app) -> None:
    """Sign in as the module's editor in the sidebar's account area."""
    sidebar = app.page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Editor sign-in").click()
    sidebar.get_by_role("textbox", name="Editor name").fill("Editor")
    sidebar.get_by_role("textbox", name="Password").fill(EDITOR_PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    app.wait()


def signed_in(app) -> bool:
    """Whether the sidebar says the editor is signed in."""
    return "Signed in as Editor" in app.page.get_by_test_id("stSidebar").inner_text()


def test_a_sign_in_lasts_the_browser_session_through_reloads_and_bookmarks_until_sign_out(editor_app):
    app = editor_app
    app.open("/")
    sign_in(app)
    assert signed_in(app)
    app.page.reload()
    app.wait()
    assert signed_in(app)  # a reload starts a new session: the cookie signs it in
    app.open("/data-loads?lang=en")  # a bookmark
    assert signed_in(app) and app.page.get_by_text("To load or undo data, sign in").count() == 0
    app.page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    app.wait()
    assert not signed_in(app)
    app.page.reload()
    app.wait()
    assert not signed_in(app)  # signing out removed the cookie
    assert app.page.get_by_text("To load or undo data, sign in").count() == 1
    assert all(c["name"] != "vet_editor" for c in app.page.context.cookies())
    app.page.goto(app.base_url + "/?lang=zh-CN")  # the account area speaks the page's language
    app.page.get_by_test_id("stSidebar").get_by_text("编辑人员登录").wait_for()


def test_an_editor_uploads_a_correction_sees_it_everywhere_and_undoes_it(editor_app, tmp_path):
    app = editor_app
    app.open("/")
    before, version = graduates(app), data_version(app)  # the module's tests share a server: versions are relative

    app.nav("Data")
    sign_in(app)
    app.page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(corrected_enrolments(tmp_path)))
    app.wait()
    app.page.get_by_role("button", name="Check files").click()
    app.wait()
    assert app.problems() == []
    app.page.get_by_role("button", name="Load 1 row").click()
    app.wait()
    assert data_version(app) == version + 1
    assert graduates(app) == before + 100

    app.nav("Data")
    app.page.get_by_text(f"I want to undo version {version + 1}").click()
    app.wait()
    app.page.get_by_role("button", name=f"Undo the latest load (version {version + 1})").click()
    app.wait()
    assert data_version(app) == version + 2
    assert graduates(app) == before
    assert app.problems() == []


def test_a_broken_upload_shows_its_problems_and_changes_nothing(editor_app, tmp_path):
    app = editor_app
    app.open("/")  # the server's first session opens "/" (a deep link would meet Streamlit issue 9992)
    version = data_version(app)
    app.nav("Data")
    broken = tmp_path / "placements.csv"
    broken.write_text("year,institution_id,program_code,employer_id,students_placed,hired\n2025,INS001,P014,EMP0001,3,5\n")
    app.page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(broken))
    app.wait()
    app.page.get_by_role("button", name="Check files").click()
    app.wait()
    error = app.page.get_by_test_id("stAlertContentError")
    error.wait_for()
    assert "1 problem(s); nothing can be loaded" in error.inner_text()
    app.page.get_by_text("The same list as plain text, to copy").click()
    assert (
        "placements.csv:2: hired: hired (5) must not exceed students_placed (3)" in app.page.get_by_test_id("stCode").inner_text()
    )
    assert app.page.get_by_role("button", name="Load 1 row").count() == 0
    assert data_version(app) == version
