"""The set-up every Graph API connector shares: one lazily built client, closed with the connector."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import httpx

from tending.connectors.bases import Connector, ConnectorContext
from tending.connectors.graph.client import GraphClient, data_list
from tending.connectors.graph.config import GraphConfig
from tending.connectors.graph.newest import NewestFirst, read_newest
from tending.connectors.text import same_post
from tending.connectors.watermark import parse_time


class GraphConnector(Connector):
    """`token_keys` names the credential fields that may hold the access token, in order of preference."""

    token_keys: ClassVar[tuple[str, ...]] = ("access_token",)
    config: GraphConfig

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        credentials: dict[str, str] | None = None,
        context: ConnectorContext | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(config=config, credentials=credentials, context=context)
        self._http = http
        self._graph: GraphClient | None = None

    @property
    def graph(self) -> GraphClient:
        if self._graph is None:
            token = next((self.credentials[k] for k in self.token_keys if self.credentials.get(k)), "")
            self._graph = GraphClient(
                network=self.slug,
                access_token=token,
                api_version=self.config.api_version or self.context.graph_api_version,
                version_setting=(
                    "the channel's api_version" if self.config.api_version else "TENDING_GRAPH_API_VERSION"
                ),
                base_url=self.config.base_url,
                app_secret=self.credentials.get("app_secret") or None,
                timeout_s=self.config.request_timeout_s,
                http=self._http,
                policy=self.context.outbound,
            )
        return self._graph

    def take_newest(
        self,
        edge: NewestFirst,
        key: str,
        cursor: dict[str, Any],
        new_cursor: dict[str, Any],
        items: dict[str, Any],
    ) -> bool:
        """Read one page of a newest-first edge into `items`, its state under `key`; True when more wait."""
        found, new_cursor[key], more = read_newest(
            self.graph, edge, cursor.get(key), limit=self.config.page_size, start=self.config.start
        )
        for item in found:
            items.setdefault(item.external_id, item)
        return more

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
        self._graph = None

    def find_own_post(
        self, edge: str, *, text_field: str, time_field: str, link_field: str, text: str, since: datetime
    ) -> dict[str, Any] | None:
        """The newest of the account's own posts on `edge` (`<page>/posts`, `<ig user>/media`) written
        since `since` whose text is `text`; how a publish of unknown outcome is settled on Graph, which
        takes no idempotency key."""
        page = self.graph.get(
            edge,
            params={"fields": f"id,{text_field},{time_field},{link_field}", "limit": 25},
            what="own posts",
        )
        for entry in data_list(page, what="own posts", network=self.slug):
            when = parse_time(entry.get(time_field))
            if when is not None and when >= since and same_post(text, str(entry.get(text_field) or "")):
                return entry
        return None
