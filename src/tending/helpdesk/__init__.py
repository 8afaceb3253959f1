"""Helpdesk hand-off: a conversation becomes a case in Zendesk or another helpdesk."""
