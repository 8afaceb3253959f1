from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
import typer
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from tests.desk_fixtures import Msg, make_channel, make_conversation, make_user, make_workspace, message_of
from typer.testing import CliRunner

from tending.cli import app
from tending.config import get_settings
from tending.database.core import Base
from tending.moderation.service import hide_message
from tending.report.cli import attach, report_app
from tending.sla.figures import ResponseFigures, response_figures

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # Wednesday noon
SINCE = datetime(2026, 2, 27, tzinfo=UTC)
UNTIL = datetime(2026, 3, 5, tzinfo=UTC)


def d(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _known_set(db: Session, *, channel_a_name: str = "Main") -> int:
    """Nine conversations in the period (ten messages of people), one before it, one of hidden spam (not
    counted).
    No SLA policy: Mon-Fri 09:00-17:00 UTC applies."""
    ws = make_workspace(db)
    ann, bob = make_user(db, ws, "Ann"), make_user(db, ws, "Bob")
    a, b = make_channel(db, ws, name=channel_a_name), make_channel(db, ws, name="Shop", network="mastodon")

    def conv(ch: object, msgs: list[Msg], who: object = None) -> None:
        make_conversation(db, ws, ch, msgs, assignee=who)  # type: ignore[arg-type]

    conv(a, [Msg("inbound", d(2, 9)), Msg("outbound", d(2, 9, 30))], ann)  # 0.5 h / 0.5 h
    conv(a, [Msg("inbound", d(2, 10)), Msg("outbound", d(2, 12))], ann)  # 2 h / 2 h
    conv(b, [Msg("inbound", d(28, 2, month=2)), Msg("outbound", d(2, 9, 5))], bob)  # 55h05 / 5 min
    conv(b, [Msg("inbound", d(3, 16)), Msg("outbound", d(4, 10))])  # 18 h / 2 h
    conv(a, [Msg("inbound", d(4, 11, 30))])  # waiting 0.5 h, in hours
    conv(a, [Msg("inbound", d(4, 6))])  # waiting 6 h, off-hours
    conv(a, [Msg("inbound", d(1, 13))])  # Sunday: waiting 71 h, off-hours
    conv(a, [Msg("inbound", d(4, 9, 30))])  # waiting 2.5 h, in hours
    # Answered in 0.5 h, then the customer wrote again at 02:00 Wednesday: waiting 10 h, off-hours.
    conv(a, [Msg("inbound", d(2, 14)), Msg("outbound", d(2, 14, 30)), Msg("inbound", d(4, 2))])
    conv(a, [Msg("inbound", d(20, 10, month=2))])  # before the period
    spam = make_conversation(db, ws, b, [Msg("inbound", d(3, 10), "buy followers")])
    hide_message(db, message_id=message_of(db, spam).id, actor=ann, reason="link farm", category="spam")
    return ws.id


def test_buckets_rate_and_percentiles_on_a_known_set(db: Session) -> None:
    ws_id = _known_set(db)
    f = response_figures(db, workspace_id=ws_id, since=SINCE, until=UNTIL, now=NOW)
    assert f.business_hours_source.startswith("default Mon-Fri")
    # Each person's message counts on its own: the follow-up of Wednesday 02:00 waits though the
    # message before it was answered.
    assert f.overall.messages == 10
    assert f.overall.answered == 5
    assert f.overall.response_rate == pytest.approx(5 / 10)
    # Wall clock, sorted: 0.5, 0.5, 2, 18, 55.0833 -> median 2, p90 (linear) = 18 + 0.6 * 37.0833 = 40.25.
    assert f.overall.median_wall_hours == pytest.approx(2.0)
    assert f.overall.p90_wall_hours == pytest.approx(40.25)
    # Business hours, sorted: 0.0833, 0.5, 0.5, 2, 2 -> median 0.5, p90 2.
    assert f.overall.median_business_hours == pytest.approx(0.5)
    assert f.overall.p90_business_hours == pytest.approx(2.0)

    counts = {b.label: (b.count, b.off_hours) for b in f.unanswered}
    assert counts == {"<1h": (1, 0), "1-4h": (1, 0), "4-24h": (2, 2), "1-3d": (1, 1), ">3d": (0, 0)}
    assert (f.unanswered_total, f.unanswered_off_hours) == (5, 3)

    assert set(f.per_member) == {"Ann", "Bob", "unassigned"}
    assert (f.per_member["Ann"].messages, f.per_member["Ann"].answered) == (2, 2)
    assert f.per_member["Ann"].median_wall_hours == pytest.approx(1.25)
    assert f.per_member["unassigned"].response_rate == pytest.approx(2 / 7)
    assert f.per_channel["Shop (mastodon)"].median_business_hours == pytest.approx((5 / 60 + 2) / 2)

    assert sum(map(sum, f.heatmap)) == 10 and f.heatmap[2][2] == 1  # the follow-up, Wednesday 02:00
    assert f.heatmap[5][2] == 1  # Saturday 02:00
    assert f.heatmap[0][9] == 1 and f.heatmap[0][10] == 1 and f.heatmap[0][14] == 1
    assert f.heatmap_median_wall_hours[5][2] == pytest.approx(55 + 5 / 60)
    assert f.heatmap_median_wall_hours[2][11] is None


def test_empty_period_has_no_percentiles(db: Session) -> None:
    ws_id = _known_set(db)
    f = response_figures(db, workspace_id=ws_id, since=d(1, 0, month=1), until=d(2, 0, month=1), now=NOW)
    assert f.overall.messages == 0
    assert f.overall.response_rate is None and f.overall.median_wall_hours is None


@pytest.fixture()
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TENDING_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["report", "responses", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_json_csv_html(cli_db: Session, tmp_path: Path) -> None:
    _known_set(cli_db, channel_a_name="<script>alert(1)</script>")
    cli_db.commit()
    with time_machine.travel(NOW, tick=False):
        data = json.loads(_run("--since", "2026-02-27", "--until", "2026-03-04", "--format", "json"))
    assert data["overall"]["messages"] == 10
    assert data["since"] == "2026-02-27T00:00:00+00:00" and data["until"] == "2026-03-05T00:00:00+00:00"
    assert data["now"] == NOW.isoformat()
    assert [(b["label"], b["count"], b["off_hours"]) for b in data["unanswered"]] == [
        ("<1h", 1, 0),
        ("1-4h", 1, 0),
        ("4-24h", 2, 2),
        ("1-3d", 1, 1),
        (">3d", 0, 0),
    ]

    rows = list(
        csv.DictReader(io.StringIO(_run("--since", "2026-02-27", "--until", "2026-03-04", "--format", "csv")))
    )
    overall = {r["figure"]: r["value"] for r in rows if r["section"] == "overall"}
    assert overall["answered"] == "5" and float(overall["median_wall_hours"]) == pytest.approx(2.0)

    out = tmp_path / "report.html"
    _run(
        "--since",
        "2026-02-27",
        "--until",
        "2026-03-04",
        "--format",
        "html",
        "--workspace",
        "acme",
        "--output",
        str(out),
    )
    html = out.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "2h 00m" in html  # the median first response


def test_cli_bad_input_names_the_option(cli_db: Session) -> None:
    result = CliRunner().invoke(app, ["report", "responses", "--since", "March 1", "--until", "2026-03-04"])
    assert result.exit_code != 0
    assert "--since" in result.output and "YYYY-MM-DD" in result.output
    result = CliRunner().invoke(
        app, ["report", "responses", "--since", "2026-03-01", "--until", "2026-03-04", "--workspace", "nope"]
    )
    assert result.exit_code != 0 and "no workspace 'nope'" in result.output


def test_off_hours_follow_the_policy_time_zone(db: Session) -> None:
    ws = make_workspace(db, timezone="Europe/Paris")
    ch = make_channel(db, ws)
    make_conversation(db, ws, ch, [Msg("inbound", d(4, 8, 30))])  # 09:30 in Paris: inside business hours
    make_conversation(db, ws, ch, [Msg("inbound", d(4, 7, 30))])  # 08:30 in Paris: before opening
    f = response_figures(db, workspace_id=ws.id, since=SINCE, until=UNTIL, now=NOW)
    assert (f.unanswered_total, f.unanswered_off_hours) == (2, 1)
    assert f.timezone == "Europe/Paris"
    assert f.heatmap[2][9] == 1 and f.heatmap[2][8] == 1  # Wednesday, local hours


def test_figures_dataclass_serialises(db: Session) -> None:
    ws_id = _known_set(db)
    f: ResponseFigures = response_figures(db, workspace_id=ws_id, since=SINCE, until=UNTIL, now=NOW)
    data = json.loads(json.dumps(f.as_dict()))
    assert data["unanswered_total"] == 5 and len(data["heatmap"]) == 7 and len(data["heatmap"][0]) == 24


def test_report_group_is_attached_once() -> None:
    root = typer.Typer()
    attach(root)
    attach(root)
    assert [g.typer_instance for g in root.registered_groups] == [report_app()]
    assert sum(g.typer_instance is report_app() for g in app.registered_groups) == 1
    assert "responses" in {c.name for c in report_app().registered_commands}
