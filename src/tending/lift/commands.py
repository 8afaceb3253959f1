"""`tending lift`: estimate a campaign's effect on an outcome series from a CSV file."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def _pct(value: float) -> str:
    return f"{value * 100:+.1f}%"


def _table(data: dict[str, object]) -> str:
    def iv(key: str, fmt: str = "num") -> str:
        d = data[key]
        assert isinstance(d, dict)
        if fmt == "pct":
            return f"{_pct(d['estimate']):>10}  [{_pct(d['lower'])}, {_pct(d['upper'])}]"
        return f"{d['estimate']:>10.4g}  [{d['lower']:.4g}, {d['upper']:.4g}]"

    p = float(data["p_value"])  # type: ignore[arg-type]
    lines = [
        f"Window: {data['window_start']} to {data['window_end']} (lag {data['lag']})",
        f"Controls: {', '.join(data['controls']) or '-'}",  # type: ignore[arg-type]
        "",
        f"{'':28}{'estimate':>10}  95% interval",
        f"{'Actual average':28}{float(data['actual_average']):>10.4g}",  # type: ignore[arg-type]
        f"{'Predicted average':28}{iv('predicted_average')}",
        f"{'Average effect':28}{iv('average_effect')}",
        f"{'Cumulative effect':28}{iv('cumulative_effect')}",
        f"{'Relative effect':28}{iv('relative_effect', 'pct')}",
        "",
        f"Posterior tail-area probability p: {p:.4g}",
        f"Probability of a causal effect:   {(1 - p) * 100:.2f}%",
        "Verdict: " + ("significant (p < 0.05)" if data["significant"] else "not significant (p >= 0.05)"),
    ]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("lift")
    def lift_cmd(
        input: Path = typer.Option(
            ..., "--input", help="CSV (comma or whitespace separated) with the series."
        ),
        pre: tuple[str, str] = typer.Option(
            ..., "--pre", help="Pre period START END (dates, or row indices)."
        ),
        post: tuple[str, str] = typer.Option(
            ..., "--post", help="Post period START END (dates, or row indices)."
        ),
        y: str | None = typer.Option(
            None, "--y", help="Outcome column (default: `y`, else the first column)."
        ),
        controls: str | None = typer.Option(None, "--controls", help="Comma-separated control columns."),
        no_controls: bool = typer.Option(False, "--no-controls", help="Use no control series."),
        lag: int = typer.Option(0, "--lag", help="Periods after launch before the effect is counted."),
        seasonality: int = typer.Option(0, "--seasonality", help="Seasonal period (e.g. 7 for daily data)."),
        simulations: int = typer.Option(
            1000, "--simulations", min=100, help="Posterior draws kept after burn-in (one path each)."
        ),
        seed: int = typer.Option(7, "--seed", help="Seed for the sampler (reproducible by default)."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Estimate a campaign's effect (average, cumulative, relative, with 95% intervals, and p).

        Periods are dates when the file has a date column (named date/time/week..., or any column whose
        values all parse as dates); otherwise 0-based row indices. Ends are inclusive.
        """
        from tending.lift.service import (
            LiftInputError,
            choose_columns,
            estimate_lift,
            read_series,
            resolve_periods,
            summary_dict,
        )

        if fmt not in ("table", "json"):
            typer.echo("--format must be table or json", err=True)
            raise typer.Exit(2)
        if no_controls and controls:
            typer.echo("--controls and --no-controls exclude each other", err=True)
            raise typer.Exit(2)
        try:
            table = read_series(input)
            wanted = (
                []
                if no_controls
                else ([c.strip() for c in controls.split(",") if c.strip()] if controls else None)
            )
            y_col, x_cols = choose_columns(table.frame, y=y, controls=wanted)
            pre_rng, post_rng = resolve_periods(table, pre=pre, post=post)
            x = table.frame[x_cols].to_numpy(dtype=float) if x_cols else None
            result = estimate_lift(
                y=table.frame[y_col].to_numpy(dtype=float),
                x=x,
                pre=pre_rng,
                post=post_rng,
                labels=table.labels,
                lag=lag,
                n_simulations=simulations,
                seed=seed,
                seasonal_period=seasonality or None,
                controls=x_cols,
            )
        except LiftInputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        data = summary_dict(result)
        if fmt == "json":
            typer.echo(json.dumps(data, indent=2, default=str))
        else:
            typer.echo(_table(data))
