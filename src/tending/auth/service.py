"""Accounts, passwords (argon2), workspace access and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tending.auth.models import ApiToken, LoginAttempt, Role, User, UserCreate, WorkspaceMembership
from tending.database.core import utcnow

_hasher = PasswordHasher()
LOGIN_WINDOW = timedelta(minutes=15)
# "Last used" is kept to the minute: a token's row is written at most this often, so that API reads stay
# read-only transactions (no row lock shared by concurrent requests, no commit to flush per request).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AccessDenied(PermissionError):
    pass


class TooManyAttempts(PermissionError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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


def authenticate(
    session: Session, *, email: str, password: str, address: str, limit: int, now: datetime | None = None
) -> User | None:
    """The user for these credentials, or None; refuses after `limit` failures in 15 minutes."""
    now = now or utcnow()
    key = email.strip().lower()
    recent = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == key, LoginAttempt.at > now - LOGIN_WINDOW
        )
    )
    if (recent or 0) >= limit:
        raise TooManyAttempts("too many failed logins; try again in 15 minutes")
    user = get_by_email(session, email=key)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        session.add(LoginAttempt(email=key, address=address, at=now))
        session.flush()
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == key))
    return user


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


def revoke_api_token(session: Session, *, token_id: int, workspace_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.workspace_id != workspace_id:
        return False
    row.revoked_at = utcnow()
    return True
