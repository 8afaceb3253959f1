from __future__ import annotations

import pytest

from tending.mail import MailNotConfigured, parse_smtp_url


def _configure(monkeypatch: pytest.MonkeyPatch, url: str | None) -> None:
    from tending.config import get_settings
    from tending.worker import runtime

    if url:
        monkeypatch.setenv("TENDING_SMTP_URL", url)
    else:
        monkeypatch.delenv("TENDING_SMTP_URL", raising=False)
    monkeypatch.setenv("TENDING_MAIL_FROM", "desk@acme.test")
    get_settings.cache_clear()
    runtime.cache_clear()


def test_digest_goes_to_admins_and_members(monkeypatch, fake_smtp, world, seeded) -> None:
    from tending.report.tasks import send_weekly_digests

    _configure(monkeypatch, "smtp://bot:p%40ss@mail.acme.test:2525")
    assert send_weekly_digests() == 2  # acme and other: the admin sees every workspace
    acme = next(m for m in fake_smtp.sent if "[Acme Coffee]" in m["Subject"])
    assert acme["Subject"].startswith("[Acme Coffee] Weekly digest ")
    assert "1 waiting" in acme["Subject"]
    assert sorted(acme["To"].split(", ")) == ["admin@acme.test", "mia@acme.test"]  # not the agency
    assert acme["From"] == "desk@acme.test"
    assert fake_smtp.opened[0] == ("mail.acme.test", 2525)
    assert fake_smtp.logins[0] == ("bot", "p@ss")
    html = acme.get_body(("html",)).get_content()
    assert "Channels at risk" in html and "<script>alert(" not in html


def test_digest_is_skipped_without_smtp(monkeypatch, fake_smtp, world) -> None:
    from tending.report.tasks import send_weekly_digests

    _configure(monkeypatch, None)
    assert send_weekly_digests() == 0
    assert fake_smtp.sent == []


def test_smtp_url_errors_name_the_setting() -> None:
    with pytest.raises(MailNotConfigured, match="smtp_url"):
        parse_smtp_url("http://mail")
    assert parse_smtp_url("smtps://mail.example").port == 465


def test_digest_task_is_scheduled_monday_morning() -> None:
    from datetime import datetime

    from tending.report.tasks import mail_weekly_digests

    validate = mail_weekly_digests.s().validate_datetime
    assert validate(datetime(2026, 3, 2, 8, 0))  # Monday 08:00 UTC
    assert not validate(datetime(2026, 3, 3, 8, 0))
    assert not validate(datetime(2026, 3, 2, 9, 0))
