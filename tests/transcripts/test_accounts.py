"""Accounts: argon2 passwords, logging in and out, the limit on guessing, resets, disabled accounts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from transcripts.account_models import LoginFailure, LoginSession
from transcripts.accounts import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_NAME,
    change_password,
    create_account,
    log_in,
    log_out,
    reset_password,
    session_user,
    set_active,
)
from transcripts.errors import InvalidInput, LoginRefused
from transcripts.models import User

PASSWORD = "correct horse battery"


def sessions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LoginSession)).one()


def test_a_password_is_stored_as_an_argon2_hash_and_opens_a_session(session: Session) -> None:
    user = create_account(session, name=" Ana ", password=PASSWORD)
    assert user.name == "Ana"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash

    found, token = log_in(session, name="Ana", password=PASSWORD, address="10.0.0.1", days=1)
    assert found.id == user.id
    stored = session.exec(select(LoginSession.token_hash)).one()
    assert token not in stored and len(stored) == 64  # only the token's hash is kept
    assert session_user(session, token) == user
    assert session_user(session, token + "x") is None

    log_out(session, token=token)
    assert session_user(session, token) is None and sessions(session) == 0


def test_wrong_names_and_passwords_get_the_same_answer(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    for name, password in (("Ana", "not the password"), ("Nobody", PASSWORD)):
        with pytest.raises(LoginRefused, match=r"^wrong name or password$"):
            log_in(session, name=name, password=password, address="10.0.0.1", days=1)
    assert sessions(session) == 0
    assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 2


def test_too_many_failures_for_a_name_refuse_even_the_right_password(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    for attempt in range(MAX_FAILURES_PER_NAME):
        with pytest.raises(LoginRefused, match="wrong"):
            log_in(session, name="Ana", password=f"guess {attempt}", address=f"10.0.0.{attempt}", days=1)
    with pytest.raises(LoginRefused, match="too many failed logins; wait 15 minutes"):
        log_in(session, name="Ana", password=PASSWORD, address="10.0.0.99", days=1)
    assert sessions(session) == 0
    # An admin's reset clears the count: the person can log in at once.
    reset_password(session, name="Ana", password="a brand new secret")
    log_in(session, name="Ana", password="a brand new secret", address="10.0.0.99", days=1)


def test_one_address_trying_many_names_is_slowed_down(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(LoginRefused, match="wrong"):
            log_in(session, name=f"person {attempt}", password="guess", address="10.9.9.9", days=1)
    with pytest.raises(LoginRefused, match="too many"):
        log_in(session, name="Ana", password=PASSWORD, address="10.9.9.9", days=1)
    log_in(session, name="Ana", password=PASSWORD, address="10.0.0.1", days=1)  # from elsewhere: fine


def test_a_success_forgets_the_failures_of_that_name(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    for attempt in range(MAX_FAILURES_PER_NAME - 1):
        with pytest.raises(LoginRefused):
            log_in(session, name="Ana", password=f"typo {attempt}", address="10.0.0.1", days=1)
    log_in(session, name="Ana", password=PASSWORD, address="10.0.0.1", days=1)
    with pytest.raises(LoginRefused, match="wrong"):  # counting starts again
        log_in(session, name="Ana", password="typo again", address="10.0.0.1", days=1)


def test_an_expired_session_opens_nothing(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    _, token = log_in(session, name="Ana", password=PASSWORD, address="", days=-1)
    assert session_user(session, token) is None


def test_a_reset_ends_every_session_and_a_disabled_account_cannot_log_in(session: Session) -> None:
    create_account(session, name="Ana", password=PASSWORD)
    _, first = log_in(session, name="Ana", password=PASSWORD, address="", days=1)
    reset_password(session, name="Ana", password="another long secret")
    assert session_user(session, first) is None
    with pytest.raises(LoginRefused):
        log_in(session, name="Ana", password=PASSWORD, address="", days=1)

    _, second = log_in(session, name="Ana", password="another long secret", address="", days=1)
    set_active(session, name="Ana", active=False)
    assert session_user(session, second) is None
    with pytest.raises(LoginRefused, match="wrong name or password"):
        log_in(session, name="Ana", password="another long secret", address="", days=1)
    set_active(session, name="Ana", active=True)
    log_in(session, name="Ana", password="another long secret", address="", days=1)


def test_changing_ones_password_keeps_this_session_and_ends_the_others(session: Session) -> None:
    user = create_account(session, name="Ana", password=PASSWORD)
    _, here = log_in(session, name="Ana", password=PASSWORD, address="", days=1)
    _, elsewhere = log_in(session, name="Ana", password=PASSWORD, address="", days=1)
    with pytest.raises(InvalidInput, match="current password is not right"):
        change_password(session, user=user, current="wrong one", new="a new long secret", keep_token=here)
    change_password(session, user=user, current=PASSWORD, new="a new long secret", keep_token=here)
    assert session_user(session, here) == user
    assert session_user(session, elsewhere) is None


def test_bad_accounts_are_refused_with_one_line(session: Session) -> None:
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        create_account(session, name="Ana", password="short")
    create_account(session, name="Ana", password=PASSWORD)
    with pytest.raises(InvalidInput, match="'Ana' has an account already"):
        create_account(session, name="Ana", password=PASSWORD)
    with pytest.raises(InvalidInput, match="no account called 'Bo'"):
        reset_password(session, name="Bo", password=PASSWORD)


def test_a_person_known_from_local_work_gets_a_password(session: Session) -> None:
    session.add(User(name="Ben"))
    session.commit()
    user = create_account(session, name="Ben", password=PASSWORD, is_admin=True)
    assert user.is_admin and session.exec(select(func.count()).select_from(User)).one() == 1
    log_in(session, name="Ben", password=PASSWORD, address="", days=1)
