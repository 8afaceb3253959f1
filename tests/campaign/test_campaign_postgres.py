"""The SQL-heavy campaign tests again on PostgreSQL (bucketing, row-value IN, JSON columns), when
TENDING_TEST_DATABASE_URL names a database these tests may empty."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from test_campaign_kpi import (
    test_imported_sales_follow_a_late_trajectory,
    test_mentions_against_a_linear_trajectory,
)
from test_campaign_launch import test_disputable_campaign_needs_five_complete_scenarios
from test_campaign_risk import test_draft_like_past_angry_posts_is_high_risk_with_its_examples
from test_campaign_scenarios import (
    test_alerts_are_deduplicated_and_limited_to_the_campaign,
    test_paraphrase_matches_by_similarity,
)
from test_campaign_spikes import (
    test_detector_plugs_in_and_alerts_once_per_spiking_bucket,
    test_series_buckets_at_five_minutes_and_one_hour,
    test_spike_alert_says_what_rose_who_drove_it_and_which_scenario,
)

from tending.config import Settings
from tending.database.core import Base, make_engine

PG_URL = os.environ.get("TENDING_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="TENDING_TEST_DATABASE_URL is not set (no PostgreSQL)"),
]

__all__ = [
    "test_alerts_are_deduplicated_and_limited_to_the_campaign",
    "test_detector_plugs_in_and_alerts_once_per_spiking_bucket",
    "test_disputable_campaign_needs_five_complete_scenarios",
    "test_draft_like_past_angry_posts_is_high_risk_with_its_examples",
    "test_imported_sales_follow_a_late_trajectory",
    "test_mentions_against_a_linear_trajectory",
    "test_paraphrase_matches_by_similarity",
    "test_series_buckets_at_five_minutes_and_one_hour",
    "test_spike_alert_says_what_rose_who_drove_it_and_which_scenario",
]


@pytest.fixture()
def db() -> Iterator[Session]:
    """Overrides the SQLite database of the conftest for the tests imported above; tables are created if
    absent and emptied, as the suite's shared PostgreSQL fixture does, so both can use one database."""
    assert PG_URL
    engine = make_engine(Settings(database_url=PG_URL))
    Base.metadata.create_all(engine)
    names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()
    engine.dispose()
