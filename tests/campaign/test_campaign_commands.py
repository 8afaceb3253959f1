from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from campaign_world import Brand
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tending.auth.models import Role, User, WorkspaceMembership
from tending.campaign.models import Campaign, CampaignStatus
from tending.channel.models import Channel
from tending.cli import app
from tending.config import Settings, get_settings
from tending.database.core import Base, make_engine
from tending.workspace.models import Workspace

runner = CliRunner()


@pytest.fixture()
def cli_brand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Brand]:
    """A brand in a database file that the CLI opens through the settings."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TENDING_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(Settings(database_url=url))
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        ws = Workspace(name="Acme", slug="acme")
        owner = User(email="olga@acme.test", name="Olga", password_hash="x", role=Role.member.value)
        responder = User(email="raj@acme.test", name="Raj", password_hash="x", role=Role.member.value)
        s.add_all([ws, owner, responder])
        s.flush()
        s.add(WorkspaceMembership(workspace_id=ws.id, user_id=owner.id))
        ch = Channel(workspace_id=ws.id, network="fake", name="Acme on Fake", external_id="a1")
        other = Channel(workspace_id=ws.id, network="fake", name="Other", external_id="a2")
        s.add_all([ch, other])
        s.flush()
        yield Brand(s, ws, owner, responder, ch, other)
    get_settings.cache_clear()
    engine.dispose()


def test_launch_refused_prints_missing_and_exits_1(cli_brand: Brand) -> None:
    campaign = cli_brand.campaign(objective="", hashtags=[], keywords=[])
    cli_brand.session.commit()
    result = runner.invoke(app, ["campaign", "launch", str(campaign.id)])
    assert result.exit_code == 1
    for piece in ("objective", "KPI", "identifiers"):
        assert piece in result.output
    assert "channels" not in result.output


def test_list_show_and_launch(cli_brand: Brand) -> None:
    campaign = cli_brand.campaign()
    cli_brand.kpi(campaign)
    cli_brand.session.commit()
    listed = runner.invoke(app, ["campaign", "list", "--workspace", "acme"])
    assert listed.exit_code == 0 and "Spring blend" in listed.output and "draft" in listed.output
    shown = runner.invoke(app, ["campaign", "show", str(campaign.id)])
    assert shown.exit_code == 0, shown.output
    assert "ready to launch" in shown.output and "#SpringBlend" in shown.output
    launched = runner.invoke(app, ["campaign", "launch", str(campaign.id), "--actor", "olga@acme.test"])
    assert launched.exit_code == 0, launched.output
    cli_brand.session.expire_all()
    stored = cli_brand.session.get(Campaign, campaign.id)
    assert stored is not None and stored.status == CampaignStatus.launched
    assert runner.invoke(app, ["campaign", "show", "999"]).exit_code == 1


def test_risk_prints_level_and_examples(cli_brand: Brand) -> None:
    for i in range(3):
        cli_brand.message(
            f"Price of coffee goes up, note {i}", direction="outbound", kind="post", thread=f"p{i}"
        )
        cli_brand.message("Awful greedy decision, I hate it", thread=f"p{i}")
    cli_brand.session.commit()
    result = runner.invoke(app, ["campaign", "risk", "--workspace", "acme", "--text", "coffee price goes up"])
    assert result.exit_code == 0, result.output
    assert "backlash risk: high" in result.output
    assert result.output.count("1/1 negative") == 3
    assert runner.invoke(app, ["campaign", "risk", "--workspace", "nope", "--text", "x"]).exit_code == 1
