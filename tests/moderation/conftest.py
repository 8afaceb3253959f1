from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from tests.desk_fixtures import new_session


@pytest.fixture()
def db() -> Iterator[Session]:
    yield from new_session()
