from __future__ import annotations

from datetime import datetime

from huey import MemoryHuey, crontab

from tending.demo.ticker import run_due


def test_run_due_runs_the_tasks_whose_schedule_matches_and_survives_a_failing_one() -> None:
    huey = MemoryHuey("ticker-test", immediate=True, utc=True)
    calls: list[str] = []

    @huey.periodic_task(crontab(minute="*"))
    def every_minute() -> None:
        calls.append("minute")

    @huey.periodic_task(crontab(minute="*"))
    def broken() -> None:
        raise RuntimeError("boom")

    @huey.periodic_task(crontab(minute="15"))
    def quarter_past() -> None:
        calls.append("quarter")

    ran = run_due(huey, now=datetime(2026, 3, 7, 2, 14, 30))
    assert calls == ["minute"] and len(ran) == 2
    run_due(huey, now=datetime(2026, 3, 7, 2, 15, 0))
    assert calls == ["minute", "minute", "quarter"]
