"""Console accounts, their server-side sessions, API tokens and failed logins.

Storage keeps only hashes: the password's argon2 hash (made by the console), and the
SHA-256 of session and API tokens, so a copy of the database gives no one a login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from storage.db import Database
from storage.errors import InvalidRecord, UserExists, UserNotFound
from storage.models import ROLES, ApiToken, LoginAttempt, User, WebSession, utcnow
from storage.repository._common import check_choice, check_text


@dataclass(frozen=True, kw_only=True)
class UserView:
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class SessionView:
    user: UserView
    csrf_token: str
    expires_at: datetime


def _view(user: User) -> UserView:
    return UserView(
        id=user.id, name=user.name, role=user.role, active=user.active, created_at=user.created_at
    )


def add_user(db: Database, name: str, role: str, password_hash: str) -> UserView:
    check_text(name, field="name")
    check_choice(role, ROLES, field="role")
    if not name.strip() or len(name) > 100:
        raise InvalidRecord("must be 1 to 100 characters", field="name", value=name)
    with db.session(context=f"add user {name}", write=True) as session:
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise UserExists(f"user {name!r} exists already; choose another name")
        user = User(name=name, role=role, password_hash=password_hash)
        session.add(user)
        session.flush()
        return _view(user)


def set_password(db: Database, name: str, password_hash: str) -> None:
    with db.session(context=f"set password of {name}", write=True) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise UserNotFound(name)
        user.password_hash = password_hash
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def set_role(db: Database, name: str, role: str) -> UserView:
    check_choice(role, ROLES, field="role")
    with db.session(context=f"set role of {name}", write=True) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise UserNotFound(name)
        user.role = role
        session.flush()
        return _view(user)


def password_hash(db: Database, name: str) -> tuple[UserView, str] | None:
    """The active account of that name and its stored hash, or None."""
    with db.session(context="look up user") as session:
        user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
        return None if user is None else (_view(user), user.password_hash)


def list_users(db: Database) -> list[UserView]:
    with db.session(context="list users") as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.name))]


# -- sessions ------------------------------------------------------------------------------
def open_session(
    db: Database, user_id: int, token_hash: str, csrf_token: str, expires_at: datetime
) -> None:
    with db.session(context="open console session", write=True) as session:
        now = utcnow()
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                token_hash=token_hash, user_id=user_id, csrf_token=csrf_token,
                expires_at=expires_at,
            )
        )


def find_session(db: Database, token_hash: str) -> SessionView | None:
    """The live session of that token (not expired, its user active), or None."""
    with db.session(context="find console session") as session:
        row = session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_hash == token_hash,
                WebSession.expires_at > utcnow(),
                User.active.is_(True),
            )
        ).first()
        if row is None:
            return None
        web, user = row
        return SessionView(user=_view(user), csrf_token=web.csrf_token, expires_at=web.expires_at)


def close_session(db: Database, token_hash: str) -> None:
    with db.session(context="close console session", write=True) as session:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


# -- API tokens ----------------------------------------------------------------------------
def add_api_token(db: Database, name: str, token_hash: str, label: str = "") -> int:
    with db.session(context=f"add API token for {name}", write=True) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise UserNotFound(name)
        token = ApiToken(user_id=user.id, token_hash=token_hash, label=label)
        session.add(token)
        session.flush()
        return token.id


def token_user(db: Database, token_hash: str) -> UserView | None:
    with db.session(context="check API token", write=True) as session:
        row = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_hash, User.active.is_(True))
        ).first()
        if row is None:
            return None
        token, user = row
        token.last_used_at = utcnow()
        return _view(user)


# -- failed logins -------------------------------------------------------------------------
def record_failed_login(db: Database, name: str, client: str) -> None:
    with db.session(context="record failed login", write=True) as session:
        session.add(LoginAttempt(name=name[:100], client=client[:100]))


def failed_logins(db: Database, *, name: str, client: str, since: datetime) -> tuple[int, int]:
    """Failed logins since `since`: (for this account name, from this client)."""
    with db.session(context="count failed logins") as session:
        by_name = session.scalar(
            select(func.count()).where(LoginAttempt.name == name[:100], LoginAttempt.at >= since)
        )
        by_client = session.scalar(
            select(func.count()).where(
                LoginAttempt.client == client[:100], LoginAttempt.at >= since
            )
        )
        return int(by_name or 0), int(by_client or 0)


def clear_failed_logins(db: Database, name: str) -> None:
    with db.session(context="clear failed logins", write=True) as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.name == name[:100]))
