from __future__ import annotations

import json

from typer.testing import CliRunner

from tending.cli import app

runner = CliRunner()


def test_campaign_report_as_pdf(world, seeded, tmp_path) -> None:
    out = tmp_path / "campaign.pdf"
    result = runner.invoke(
        app, ["report", "campaign", str(seeded.campaign_id), "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_audit_report_as_json(world, seeded) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            "audit",
            "--workspace",
            "acme",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-09",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    delivered = next(s for s in data["sections"] if s["title"] == "Delivered")
    assert delivered["figures"]["Posts published"] == "1"


def test_digest_as_html(world, seeded, tmp_path) -> None:
    out = tmp_path / "digest.html"
    result = runner.invoke(app, ["report", "digest", "--workspace", "acme", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Weekly digest" in out.read_text()


def test_bad_input_is_named(world) -> None:
    result = runner.invoke(app, ["report", "audit", "--workspace", "nope"])
    assert result.exit_code != 0 and "nope" in result.output
    result = runner.invoke(app, ["report", "audit", "--workspace", "acme", "--since", "soon"])
    assert result.exit_code != 0 and "since" in result.output
    assert runner.invoke(app, ["report", "campaign", "999"]).exit_code != 0
