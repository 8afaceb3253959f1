"""Meta's Graph API, shared by the Facebook Pages and Instagram connectors."""

from tending.connectors.graph.client import GraphClient, data_list, next_after

__all__ = ["GraphClient", "data_list", "next_after"]
