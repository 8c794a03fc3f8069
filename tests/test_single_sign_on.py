"""A single sign-on account is an editor only when its e-mail address is listed in [dashboard] editors AND the
provider says the address is verified (email_verified = true); an absent claim is not verified, unless the
bureau sets [dashboard] trust_unverified_email = true for a provider that never sends it. The decision is a
pure function of st.user's claims; the Data page is driven through AppTest with st.user faked."""

from __future__ import annotations

import pytest

from tests.test_data_page import OIDC_SECRETS, labels, open_data_page
from ui.auth import SingleSignOnAccount, email_verified, single_sign_on_account

EDITORS = {"planner@bureau.example"}
PLANNER = {"is_logged_in": True, "email": "Planner@Bureau.example"}


def account(user: dict, *, trust_unverified_email: bool = False) -> SingleSignOnAccount:
    return single_sign_on_account(user, editors=EDITORS, trust_unverified_email=trust_unverified_email)


@pytest.mark.parametrize(
    ("claim", "verified"),
    [(True, True), ("true", True), (" TRUE ", True), (False, False), ("false", False), (None, False), (1, False), ("yes", False)],
)
def test_only_a_claim_of_true_says_the_address_is_verified(claim, verified):
    assert email_verified(claim) is verified


def test_a_listed_address_is_an_editor_only_when_the_provider_says_it_is_verified():
    assert account({**PLANNER, "email_verified": True}).is_editor
    assert account({**PLANNER, "email_verified": "true"}).is_editor  # some providers send the text
    for user in (PLANNER, {**PLANNER, "email_verified": False}, {**PLANNER, "email_verified": None}):
        unverified = account(user)  # an absent claim is not verified
        assert not unverified.is_editor and unverified.listed and not unverified.verified
    assert not account({"is_logged_in": True, "email": "visitor@bureau.example", "email_verified": True}).is_editor
    assert account({"is_logged_in": False, "email": "planner@bureau.example", "email_verified": True}).email is None


def test_trusting_unverified_addresses_makes_a_listed_address_an_editor_without_the_claim():
    assert account(PLANNER, trust_unverified_email=True).is_editor
    assert account({**PLANNER, "email_verified": False}, trust_unverified_email=True).is_editor
    assert not account({"is_logged_in": True, "email": "visitor@bureau.example"}, trust_unverified_email=True).is_editor


def test_a_listed_account_without_a_verified_address_is_told_why_it_cannot_load(app_url):
    pytest.importorskip("authlib", reason="st.login needs Authlib")
    unverified = open_data_page(secrets=OIDC_SECRETS, user=PLANNER)
    assert not unverified.exception
    warning = next(w.value for w in unverified.warning if "Planner@Bureau.example" in w.value)
    assert "does not confirm that this e-mail address has been verified" in warning and "Who may change data" in warning
    assert "may still check files" in warning
    assert not any(label.startswith(("Load", "Undo")) for label in labels(unverified)) and "Sign out" in labels(unverified)

    false_claim = open_data_page(secrets=OIDC_SECRETS, user={**PLANNER, "email_verified": False})
    assert not any(label.startswith("Undo") for label in labels(false_claim))

    trusting = {**OIDC_SECRETS, "dashboard": {**OIDC_SECRETS["dashboard"], "trust_unverified_email": True}}
    trusted = open_data_page(secrets=trusting, user=PLANNER)
    assert not trusted.exception and "Undo the latest load (version 1)" in labels(trusted)
    assert any("Planner@Bureau.example" in c.value and "editor" in c.value for c in trusted.caption)
