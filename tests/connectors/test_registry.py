from __future__ import annotations

from pathlib import Path

import tending.connectors
from tending.connectors.registry import available


def test_every_connector_package_is_registered() -> None:
    root = Path(tending.connectors.__file__).parent
    packages = {p.parent.name for p in root.glob("*/connector.py")} - {"bases"}
    registered = {cls.__module__.split(".")[2] for cls in available().values()}
    assert packages <= registered, f"not in the tending.connectors entry points: {packages - registered}"
