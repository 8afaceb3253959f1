from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tending.audience.growth import DayConversation, find_jumps, judge, split_growth

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(60)]


def steady(seed: int = 2) -> list[float]:
    rng = np.random.default_rng(seed)
    return [1000 * (1.002**i) * rng.uniform(0.95, 1.05) for i in range(60)]


def test_overnight_jump_flagged_steady_growth_not() -> None:
    assert find_jumps(DAYS, steady(), metric="visits") == []
    values = steady()
    values[45:] = [v * 10 for v in values[45:]]
    jumps = find_jumps(DAYS, values, metric="visits")
    assert [j.day for j in jumps] == [DAYS[45]]


def test_viral_with_real_comments_vs_bought_without() -> None:
    values = steady()
    values[45:] = [v * 10 for v in values[45:]]
    jump = find_jumps(DAYS, values, metric="visits")[0]
    bought = judge(
        jump, usual_commenters=12, that_day=DayConversation(commenters=13, median_authenticity=0.8)
    )
    assert bought.verdict == "suspicious" and any("no conversation" in e for e in bought.evidence)
    jump = find_jumps(DAYS, values, metric="visits")[0]
    viral = judge(
        jump, usual_commenters=12, that_day=DayConversation(commenters=140, median_authenticity=0.82)
    )
    assert viral.verdict == "likely genuine"
    jump = find_jumps(DAYS, values, metric="visits")[0]
    bots = judge(jump, usual_commenters=12, that_day=DayConversation(commenters=300, median_authenticity=0.1))
    assert bots.verdict == "unexplained"
    assert split_growth([0.9, 0.8, 0.1, 0.05, 0.7]) == (3, 2)


def test_import_metrics_csv_then_audit_flags_the_jump(
    tmp_path, world, settings, factory, monkeypatch
) -> None:
    from datetime import UTC, datetime

    from typer.testing import CliRunner

    import tending.database.cli_support as cli_support
    from tending.audience.service import growth_audit
    from tending.cli import app

    monkeypatch.setattr(cli_support, "upgrade", lambda engine: None)  # the test database is built from models
    rows = ["date,followers,visits"]
    for i in range(60):
        visits = 1000 + i * 3 if i != 50 else 10_000
        rows.append(
            f"2026-03-{1 + i % 31:02d}T00:00:00+00:00,{2000 + i * 2},{visits}"
            if i < 31
            else f"2026-04-{i - 30:02d}T00:00:00+00:00,{2000 + i * 2},{visits}"
        )
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(rows) + "\n")
    res = CliRunner().invoke(app, ["import-metrics", str(path), "--channel", str(world.channel.id)])
    assert res.exit_code == 0, res.output
    assert "120 figures stored" in res.output
    res = CliRunner().invoke(app, ["import-metrics", str(path), "--channel", str(world.channel.id)])
    with factory() as s:
        audit = growth_audit(
            s,
            workspace_id=world.workspace.id,
            since=datetime(2026, 4, 1, tzinfo=UTC),
            until=datetime(2026, 5, 1, tzinfo=UTC),
        )
    visits = next(g for g in audit if g.metric == "visits")
    assert [j.verdict for j in visits.jumps] == ["suspicious"]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,followers\nyesterday,5\n")
    res = CliRunner().invoke(app, ["import-metrics", str(bad), "--channel", str(world.channel.id)])
    assert res.exit_code == 2


def test_suspicious_jumps_reach_the_alerts_inbox_once_and_tiny_ones_do_not(session, world) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from tending.alerts.models import AlertIncident
    from tending.audience.service import raise_jump_alerts, store_points
    from tending.channel.models import Channel

    ch = session.get(Channel, world.channel.id)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    big = steady()
    big[50:] = [v * 10 for v in big[50:]]  # ~1,100 → ~11,000 visits overnight, nobody talking
    tiny = [3.0] * 40 + [8.0] * 20  # a handful of blog followers: a ratio, not an event
    store_points(
        session,
        channel=ch,
        points=[("visits", start + timedelta(days=i), v) for i, v in enumerate(big)]
        + [("followers", start + timedelta(days=i), v) for i, v in enumerate(tiny)],
    )
    since, until = start + timedelta(days=35), start + timedelta(days=60)
    assert raise_jump_alerts(session, workspace_id=world.workspace.id, since=since, until=until) == 1
    raise_jump_alerts(
        session, workspace_id=world.workspace.id, since=since, until=until
    )  # the next day's run
    (incident,) = session.scalars(select(AlertIncident))
    assert incident.kind == "audience_jump" and incident.alert_count == 1
    assert "visits jump on 2026-04-20" in incident.title
