"""The workspace check names other domains' tables instead of importing their models; the names must
stay those of the models, or a foreign id would pass unnoticed."""

from __future__ import annotations

from tending.campaign.models import Campaign
from tending.channel.models import Channel
from tending.workspace.scope import _OWNED_ROWS, Scoped


def test_owned_rows_name_the_models_tables() -> None:
    models = {"channel": Channel, "campaign": Campaign}
    assert set(_OWNED_ROWS) == {k.name for k in Scoped} - {"member"}
    for name, rows in _OWNED_ROWS.items():
        model_table = models[name].__table__
        assert rows.name == model_table.name
        assert {c.name for c in rows.c} <= {c.name for c in model_table.c}
