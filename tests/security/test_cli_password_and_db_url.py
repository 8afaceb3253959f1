"""Item 14 (accounts and migrations): the password of `tending user create` never is an argument, and a
`%` in the database URL does not break migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from tests.conftest import PASSWORD
from typer.testing import CliRunner

from tending.auth.service import get_by_email, verify_password
from tending.cli import app as cli
from tending.config import Settings, get_settings
from tending.database.core import make_engine, make_session_factory
from tending.database.migrate import upgrade


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "100%-data"
    monkeypatch.delenv("TENDING_DATABASE_URL", raising=False)
    monkeypatch.setenv("TENDING_DATA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_migrations_run_with_a_percent_in_the_url(data_dir: Path) -> None:
    engine = make_engine(Settings(data_dir=data_dir))
    assert "%" in engine.url.render_as_string(hide_password=False)
    upgrade(engine)
    assert "login_session" in inspect(engine).get_table_names()


def test_user_create_reads_the_password_from_stdin_not_an_argument(data_dir: Path) -> None:
    runner = CliRunner()
    args = ["user", "create", "--email", "ops@acme.test", "--name", "Ops", "--role", "admin"]
    leaked = runner.invoke(cli, [*args, "--password", PASSWORD])
    assert leaked.exit_code != 0 and "--password" in leaked.output
    short = runner.invoke(cli, args, input="short\n")
    assert short.exit_code != 0 and "8 to 256" in short.output
    made = runner.invoke(cli, args, input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    with make_session_factory(make_engine(Settings(data_dir=data_dir)))() as s:
        user = get_by_email(s, email="ops@acme.test")
        assert user is not None and verify_password(user.password_hash, PASSWORD)
