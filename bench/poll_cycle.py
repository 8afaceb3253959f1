"""A poll cycle over 50 channels with recorded responses: CPU per channel.

    .venv/bin/python bench/poll_cycle.py [--cycles 3]

A fresh SQLite install (embedded mode) with 20 Facebook Pages (comments and Messenger), 15 Instagram
accounts and 15 YouTube channels. Each poll goes through the real path (`poll_channel`: the channel's
encrypted credentials, the connector and its client library, the answers parsed, ingestion, the commit
with the cursor); only the network is replaced, by the recorded answers of the connector tests (shaped
as each network documents them), served in-process (httpx's mock transport for Graph, googleapiclient's
HttpMockSequence for YouTube). The first cycle stores what the answers hold; later cycles get the same
answers and store nothing new (a quiet desk's steady state).

Prints, per cycle and network, the process CPU per channel (mean and p95, ms) and the cycle's wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
FIX = ROOT / "tests" / "connectors" / "fixtures"
MIX = {"facebook": 20, "instagram": 15, "youtube": 15}


def _json(network: str, name: str) -> Any:
    return orjson.loads((FIX / network / name).read_bytes())


def graph_transport() -> Any:
    """Recorded Graph answers by path: a Page feed, its conversations, an account's media."""
    import httpx

    feed = orjson.dumps(_json("facebook", "feed_latest.json"))
    conversations = orjson.dumps(_json("facebook", "conversations.json"))
    media = orjson.dumps(_json("instagram", "media_p1.json") | {"paging": {}})

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = (
            feed
            if path.endswith("/feed")
            else conversations
            if path.endswith("/conversations")
            else media
            if path.endswith("/media")
            else None
        )
        if body is None:
            return httpx.Response(404, json={"error": {"message": f"unrecorded {path}", "code": 803}})
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def youtube_http() -> Any:
    from googleapiclient.http import HttpMockSequence

    head = {"status": "200", "content-type": "application/json; charset=UTF-8"}
    threads = (FIX / "youtube" / "threads_latest.json").read_text()
    replies = (FIX / "youtube" / "replies.json").read_text()
    authors = (FIX / "youtube" / "author_channels.json").read_text()

    # more answers than a poll asks for: replies of a busy thread, then authors' channels
    class Recorded(HttpMockSequence):
        def close(self) -> None:
            """Nothing to release (a real client closes its connections here)."""

    return Recorded([(head, threads), (head, replies), (head, authors), (head, authors)])


def setup(settings: Any) -> list[tuple[int, str]]:
    from tending.channel.models import ChannelCreate
    from tending.channel.service import create as create_channel
    from tending.database.core import make_engine, make_session_factory
    from tending.database.migrate import upgrade
    from tending.workspace.models import WorkspaceCreate
    from tending.workspace.service import create as create_workspace

    engine = make_engine(settings)
    upgrade(engine)
    factory = make_session_factory(engine)
    channels: list[tuple[int, str]] = []
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Bench Coffee", slug="bench"))
        for network, count in MIX.items():
            for n in range(count):
                config: dict[str, Any]
                if network == "facebook":
                    config = {"page_id": f"10400000000{n:04d}", "recent_posts": 2, "listen_messages": True}
                    credentials = {"page_access_token": f"EAAB-page-{n}"}
                elif network == "instagram":
                    config = {"ig_user_id": f"1784140000{n:04d}"}
                    credentials = {"access_token": f"EAAB-ig-{n}"}
                else:
                    config = {"channel_id": f"UCLumenCoffee00000000{n:03d}"}
                    credentials = {"access_token": f"ya29.bench-{n}"}
                channel = create_channel(
                    s,
                    settings=settings,
                    workspace_id=ws.id,
                    channel_in=ChannelCreate(
                        network=network,
                        name=f"{network} {n}",
                        external_id=f"{network}-{n}",
                        config=config,
                        credentials=credentials,
                    ),
                )
                channels.append((channel.id, network))
        s.commit()
    engine.dispose()
    return channels


def factory_with_recordings(settings: Any) -> Callable[[Any], Any]:
    """Builds each channel's connector as the poller does, with its network replaced by recordings."""
    import httpx

    from tending.channel.crypto import decrypt_credentials
    from tending.connectors.bases import ConnectorContext
    from tending.connectors.registry import get_connector_class

    transport = graph_transport()
    context = ConnectorContext.from_settings(settings)

    def build(channel: Any) -> Any:
        cls = get_connector_class(channel.network, settings=settings)
        credentials = decrypt_credentials(settings, channel.credentials_encrypted)
        http: Any = youtube_http() if channel.network == "youtube" else httpx.Client(transport=transport)
        return cls(config=channel.config, credentials=credentials, context=context, http=http)

    return build


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tending-poll-bench-"))
    os.environ.update({"TENDING_DATA_DIR": str(tmp), "TENDING_LOG_LEVEL": "WARNING"})

    from tending.config import Settings
    from tending.database.core import make_engine, make_session_factory
    from tending.ingest.poll import poll_channel

    settings = Settings(data_dir=tmp)
    channels = setup(settings)
    build = factory_with_recordings(settings)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    print(f"channels={len(channels)} ({', '.join(f'{k} {v}' for k, v in MIX.items())})")
    for cycle in range(1, args.cycles + 1):
        cpu: dict[str, list[float]] = defaultdict(list)
        stored = 0
        wall0 = time.perf_counter()
        for channel_id, network in channels:
            c0 = time.process_time()
            outcome = poll_channel(factory, settings=settings, channel_id=channel_id, connector_factory=build)
            cpu[network].append(time.process_time() - c0)
            if outcome.error:
                raise SystemExit(f"channel {channel_id} ({network}): {outcome.error}")
            stored += outcome.stats.new
        wall = time.perf_counter() - wall0
        every = [v for values in cpu.values() for v in values]
        print(f"cycle {cycle}: {stored} new messages, wall {wall:.2f} s, CPU {sum(every):.2f} s")
        for network, values in [("all", every), *cpu.items()]:
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(
                f"  {network:<9} CPU per channel: mean {statistics.mean(values) * 1000:.1f} ms, "
                f"p95 {p95 * 1000:.1f} ms ({len(values)} channels)"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
