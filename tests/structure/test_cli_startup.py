"""The CLI builds its command tree from typer alone: every domain is imported when its command runs."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from tending.cli import app

# Libraries that take from a tenth of a second to seconds to import; none may load for `tending --help`.
HEAVY = (
    "scipy",
    "sklearn",
    "numpy",
    "matplotlib",
    "atproto",
    "googleapiclient",
    "torch",
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "vaderSentiment",
    "weasyprint",
)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    probe = (
        "import sys, tending.cli\n"
        f"heavy = {HEAVY!r}\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_every_command_and_runs_one_lazily() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"])
    assert listing.exit_code == 0
    for name in (
        "import",
        "poll",
        "classify",
        "triage",
        "detect-anomalies",
        "lift",
        "audit",
        "report",
        "user",
    ):
        assert name in listing.output
    shown = runner.invoke(app, ["report", "--help"])
    assert shown.exit_code == 0
    assert "responses" in shown.output and "campaign" in shown.output


def test_the_classifier_loads_no_training_library() -> None:
    """`tending classify` answers its first line without scikit-learn, pandas or scipy.stats (about a
    second of imports between them)."""
    probe = (
        "import sys, tending.triage.classify\n"
        "heavy = ('sklearn', 'pandas', 'scipy.stats', 'scipy.special', 'matplotlib', 'torch')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(heavy))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
