"""Accounts, passwords (argon2), workspace access and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import (
    ApiToken,
    LoginAttempt,
    LoginSession,
    Role,
    User,
    UserCreate,
    WorkspaceMembership,
)
from tending.config import Settings
from tending.database.core import utcnow
from tending.errors import Refused, TooMany

_hasher = PasswordHasher()
# Failed logins count for this long; older rows are pruned on the next failure.
LOGIN_WINDOW = timedelta(minutes=15)
# "Last used" is kept to the minute: a token's row is written at most this often, so that API reads stay
# read-only transactions (no row lock shared by concurrent requests, no commit to flush per request).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AccessDenied(PermissionError):
    pass


class SelfDeactivation(Refused, AccessDenied):
    """An admin may not deactivate their own account (nobody might be left to reactivate it)."""


class TooManyAttempts(TooMany, PermissionError):
    """Logins are locked for this account and address, or for this address; `retry_after_s` says how long."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


@dataclass(frozen=True)
class LoginLimits:
    """How many failures lock what, and for how long (see the `login_*` settings)."""

    per_account_source: int
    per_source: int
    lock: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(
            per_account_source=settings.login_rate_limit,
            per_source=settings.login_source_limit,
            lock=timedelta(seconds=settings.login_lock_s),
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches, verified for unknown e-mails so they take as long as known ones."""
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(session: Session, *, user_in: UserCreate, workspace_ids: list[int] | None = None) -> User:
    user = User(
        email=str(user_in.email).lower(),
        name=user_in.name,
        password_hash=hash_password(user_in.password),
        role=user_in.role.value,
        expertise=list(user_in.expertise),
        timezone=user_in.timezone,
        working_hours=dict(user_in.working_hours),
    )
    session.add(user)
    session.flush()
    for ws_id in workspace_ids or []:
        session.add(WorkspaceMembership(workspace_id=ws_id, user_id=user.id))
    session.flush()
    return user


def _lock_left(
    session: Session, *, where: list[ColumnElement[bool]], limit: int, lock: timedelta, now: datetime
) -> timedelta | None:
    """Time left on a lock: `limit` failures in the window lock for `lock` after the latest one."""
    count, latest = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            LoginAttempt.at > now - LOGIN_WINDOW, *where
        )
    ).one()
    if not count or count < limit or latest is None:
        return None
    latest = latest if latest.tzinfo else latest.replace(tzinfo=now.tzinfo)
    left = latest + lock - now
    return left if left > timedelta(0) else None


def check_login_locks(
    session: Session, *, email: str, address: str, limits: LoginLimits, now: datetime
) -> None:
    """Refuse while this account is locked for this address, or this address for every account.

    The account lock is per address, so failures from elsewhere never lock the owner out; the address
    lock stops one source spraying a password across many accounts."""
    checks = (
        (
            [LoginAttempt.email == email, LoginAttempt.address == address],
            limits.per_account_source,
            "too many failed logins for this account from your address",
        ),
        ([LoginAttempt.address == address], limits.per_source, "too many failed logins from your address"),
    )
    for where, limit, message in checks:
        left = _lock_left(session, where=where, limit=limit, lock=limits.lock, now=now)
        if left is not None:
            seconds = max(1, int(left.total_seconds() + 0.999))
            raise TooManyAttempts(f"{message}; try again in {seconds} s", retry_after_s=seconds)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    address: str,
    limits: LoginLimits,
    now: datetime | None = None,
) -> User | None:
    """The user for these credentials, or None (the failure is recorded); `TooManyAttempts` while locked."""
    now = now or utcnow()
    key = email.strip().lower()[:254]
    address = address[:64]
    check_login_locks(session, email=key, address=address, limits=limits, now=now)
    user = get_by_email(session, email=key)
    # Always one argon2 verification, so an unknown e-mail answers as slowly as a known one.
    matches = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or not matches:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - LOGIN_WINDOW))
        session.add(LoginAttempt(email=key, address=address, at=now))
        session.flush()
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == key, LoginAttempt.address == address))
    return user


def session_digest(key: str) -> str:
    return hashlib.sha256(b"tending-session:" + key.encode()).hexdigest()


def start_session(session: Session, *, user: User, max_age: timedelta, now: datetime | None = None) -> str:
    """A new login session for `user`; returns the key the cookie carries (only its hash is kept)."""
    now = now or utcnow()
    session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now)
    )
    key = secrets.token_urlsafe(32)
    session.add(
        LoginSession(user_id=user.id, key_hash=session_digest(key), created_at=now, expires_at=now + max_age)
    )
    session.flush()
    return key


def resolve_session(session: Session, *, key: str) -> User | None:
    """The active user of a live login session, or None (ended, expired, or the user deactivated)."""
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.key_hash == session_digest(key), LoginSession.expires_at > utcnow(), User.active)
    )


def end_session(session: Session, *, key: str) -> None:
    """Logout: the session's row goes, so the cookie is worth nothing even if replayed."""
    session.execute(delete(LoginSession).where(LoginSession.key_hash == session_digest(key)))


def end_all_sessions(session: Session, *, user_id: int) -> int:
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _account_audit(session: Session, user: User, actor_id: int | None, action: str, **detail: int) -> None:
    """Account changes belong to no workspace; a command-line change has no actor."""
    record(
        session,
        workspace_id=None,
        actor_id=actor_id,
        action=action,
        target_type="user",
        target_id=user.id,
        detail=detail,
    )


def deactivate_user(session: Session, *, user: User, actor_id: int | None) -> None:
    """The account can no longer log in; its sessions end and its API tokens are revoked at once (revoked,
    not merely suspended: reactivating the account does not bring back tokens that may have leaked)."""
    if actor_id == user.id:
        raise SelfDeactivation("you cannot deactivate your own account")
    user.active = False
    sessions = end_all_sessions(session, user_id=user.id)
    tokens = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoked = int(getattr(tokens, "rowcount", 0) or 0)
    _account_audit(
        session, user, actor_id, "user.deactivate", sessions_ended=sessions, tokens_revoked=revoked
    )


def reactivate_user(session: Session, *, user: User, actor_id: int | None) -> None:
    user.active = True
    _account_audit(session, user, actor_id, "user.reactivate")


def reset_password(session: Session, *, user: User, password: str, actor_id: int | None) -> None:
    """Set a new password and end every session of the account (whoever knew the old one is logged out).

    API tokens stay: they are separate credentials of integrations, revoked one by one or by deactivating."""
    user.password_hash = hash_password(password)
    sessions = end_all_sessions(session, user_id=user.id)
    _account_audit(session, user, actor_id, "user.reset_password", sessions_ended=sessions)


def workspace_ids_for(session: Session, *, user: User) -> list[int] | None:
    """Workspaces the user may see; None means all (admins)."""
    if user.role == Role.admin.value:
        return None
    return list(
        session.scalars(
            select(WorkspaceMembership.workspace_id).where(WorkspaceMembership.user_id == user.id)
        )
    )


def can_access(session: Session, *, user: User, workspace_id: int) -> bool:
    allowed = workspace_ids_for(session, user=user)
    return allowed is None or workspace_id in allowed


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, *, user: User, workspace_id: int, name: str) -> tuple[ApiToken, str]:
    if not can_access(session, user=user, workspace_id=workspace_id):
        raise AccessDenied("no access to this workspace")
    token = "tnd_" + secrets.token_urlsafe(32)
    row = ApiToken(workspace_id=workspace_id, user_id=user.id, name=name, token_hash=token_digest(token))
    session.add(row)
    session.flush()
    return row, token


def resolve_api_token(session: Session, *, token: str) -> tuple[User, int] | None:
    """The user and the one workspace a live token grants, or None."""
    # Token and user in one round trip: this runs on every API request.
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return user, row.workspace_id


def may_revoke_token(user: User, token: ApiToken) -> bool:
    """Only an admin or the token's owner may revoke it: a member must not cut someone else's integration."""
    return user.role == Role.admin.value or token.user_id == user.id


def revoke_api_token(session: Session, *, token: ApiToken, actor: User) -> None:
    if not may_revoke_token(actor, token):
        raise AccessDenied("only an admin or the token's owner may revoke it")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    record(
        session,
        workspace_id=token.workspace_id,
        actor_id=actor.id,
        action="api_token.revoke",
        target_type="api_token",
        target_id=token.id,
        detail={"name": token.name, "owner_id": token.user_id},
    )
