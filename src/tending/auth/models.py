"""Local accounts, their workspaces and team attributes (expertise, working hours)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.auth.roles import Role
from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[PrimaryKey]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.member.value)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"mon": [["09:00", "17:00"]], ...}; empty means always available.
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkspaceMembership(Base):
    __tablename__ = "workspace_membership"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)


class UserCreate(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=256)
    role: Role = Role.member
    expertise: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    working_hours: dict[str, list[list[str]]] = Field(default_factory=dict)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: Role
    expertise: list[str]
    timezone: str
    working_hours: dict[str, Any]
    active: bool


class LoginRequest(BaseModel):
    email: str
    password: str


class ApiToken(Base):
    """A bearer token scoped to one workspace; only its hash is stored, and it can be revoked."""

    __tablename__ = "api_token"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Failed logins, kept in the database so the limit holds across processes and machines."""

    __tablename__ = "login_attempt"

    id: Mapped[PrimaryKey]
    email: Mapped[str] = mapped_column(String(254), index=True)
    # Indexed: the per-source limit counts one address's failures across every account.
    address: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginSession(Base):
    """One login, kept server-side: the signed cookie carries a random key whose hash is stored here, so
    logout, deactivation and a password reset end the session at once (a replayed cookie finds no row)."""

    __tablename__ = "login_session"

    id: Mapped[PrimaryKey]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


PASSWORD_RULE = "the password must have 8 to 256 characters"


class NewPassword(BaseModel):
    """A password set by an admin or on the command line; the same bounds as at account creation."""

    password: str = Field(min_length=8, max_length=256)


class ApiTokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ApiTokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; only its hash is kept.")
