"""API tokens: shown once, stored as a hash, revocable by their holder (or an admin), dead with the account."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from transcripts.account_models import ApiToken
from transcripts.accounts import set_active
from transcripts.errors import InvalidInput, NotFound
from transcripts.models import User
from transcripts.projects import ensure_user
from transcripts.tokens import PREFIX, create_token, find_person, list_tokens, revoke_token, user_for_token


def person(session: Session, name: str, *, admin: bool = False) -> User:
    user = ensure_user(session, name=name)
    user.is_admin = admin
    session.add(user)
    session.commit()
    return user


def test_a_token_is_shown_once_and_only_its_hash_is_stored(session: Session) -> None:
    ana = person(session, "Ana")
    token, plaintext = create_token(session, user=ana, name="  notebook ")
    assert plaintext.startswith(PREFIX) and len(plaintext) >= 40
    stored = session.exec(select(ApiToken)).one()
    assert stored.name == "notebook"
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored.prefix == plaintext[:8]
    assert plaintext not in {stored.token_hash, stored.prefix, stored.name}
    assert user_for_token(session, plaintext) == ana
    other, second = create_token(session, user=ana, name="notebook")
    assert second != plaintext and other.id != token.id


def test_unknown_malformed_and_revoked_tokens_open_nothing(session: Session) -> None:
    ana = person(session, "Ana")
    token, plaintext = create_token(session, user=ana, name="script")
    assert user_for_token(session, plaintext + "x") is None
    assert user_for_token(session, plaintext[len(PREFIX) :]) is None  # the random part without its prefix
    assert user_for_token(session, "") is None
    assert user_for_token(session, PREFIX + "a" * 5000) is None
    revoked = revoke_token(session, user=ana, token_id=token.id)  # type: ignore[arg-type]
    assert revoked.revoked_at is not None and not revoked.active
    assert user_for_token(session, plaintext) is None
    again = revoke_token(session, user=ana, token_id=token.id)  # type: ignore[arg-type]
    assert again.revoked_at == revoked.revoked_at  # revoking twice keeps the first time


def test_a_disabled_account_s_tokens_stop_working_and_it_gets_no_new_one(session: Session) -> None:
    ana = person(session, "Ana")
    _, plaintext = create_token(session, user=ana, name="script")
    set_active(session, name="Ana", active=False)
    assert user_for_token(session, plaintext) is None
    with pytest.raises(InvalidInput, match="disabled"):
        create_token(session, user=ana, name="another")
    set_active(session, name="Ana", active=True)
    assert user_for_token(session, plaintext) == ana


def test_only_the_holder_or_an_admin_revokes_and_others_see_no_such_token(session: Session) -> None:
    ana, ben, root = person(session, "Ana"), person(session, "Ben"), person(session, "Root", admin=True)
    token, plaintext = create_token(session, user=ana, name="script")
    with pytest.raises(NotFound, match=f"no token with id {token.id}"):
        revoke_token(session, user=ben, token_id=token.id)  # type: ignore[arg-type]
    assert user_for_token(session, plaintext) == ana
    with pytest.raises(NotFound, match="no token with id 999"):
        revoke_token(session, user=ana, token_id=999)
    revoke_token(session, user=root, token_id=token.id)  # type: ignore[arg-type]
    assert user_for_token(session, plaintext) is None
    _, other = create_token(session, user=ben, name="cli")
    revoke_token(session, user=None, token_id=list_tokens(session, user=ben)[0].id)  # the command line
    assert user_for_token(session, other) is None


def test_a_token_needs_a_name(session: Session) -> None:
    ana = person(session, "Ana")
    for name in ("", "   ", "x" * 81):
        with pytest.raises(InvalidInput, match="a token needs a name of 1 to 80 characters"):
            create_token(session, user=ana, name=name)
    assert session.exec(select(ApiToken)).all() == []


def test_lists_are_per_person_newest_first_and_never_hold_the_token(session: Session) -> None:
    ana, ben = person(session, "Ana"), person(session, "Ben")
    first, first_plain = create_token(session, user=ana, name="first")
    create_token(session, user=ben, name="bens")
    _second, _ = create_token(session, user=ana, name="second")
    revoke_token(session, user=ana, token_id=first.id)  # type: ignore[arg-type]
    mine = list_tokens(session, user=ana)
    assert [(t.name, t.holder, t.active) for t in mine] == [("second", "Ana", True), ("first", "Ana", False)]
    assert mine[1].prefix == first_plain[:8]
    assert {t.holder for t in list_tokens(session, user=None)} == {"Ana", "Ben"}
    assert all(first_plain not in repr(t) for t in list_tokens(session, user=None))


def test_last_use_is_written_at_most_once_a_minute(session: Session) -> None:
    ana = person(session, "Ana")
    token, plaintext = create_token(session, user=ana, name="script")
    assert token.last_used_at is None
    user_for_token(session, plaintext)
    first = list_tokens(session, user=ana)[0].last_used_at
    assert first is not None
    user_for_token(session, plaintext)
    assert list_tokens(session, user=ana)[0].last_used_at == first  # within the minute: no write
    stored = session.get(ApiToken, token.id)
    assert stored is not None
    stored.last_used_at = first - timedelta(minutes=2)
    session.add(stored)
    session.commit()
    user_for_token(session, plaintext)
    later = list_tokens(session, user=ana)[0].last_used_at
    assert later is not None and later > first - timedelta(seconds=1)


def test_a_person_is_found_by_name_or_refused(session: Session) -> None:
    person(session, "Ana")
    assert find_person(session, " Ana ").name == "Ana"
    with pytest.raises(NotFound, match="no person called 'Anna'"):
        find_person(session, "Anna")
