"""Alert URLs are stored encrypted and delivered to the decrypted address; old plain rows still work;
a target sealed under another key fails that delivery with a clear reason, not the whole run."""

from __future__ import annotations

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

from tending.config import Settings
from tending.sla.models import AlertDestination, AlertDestinationCreate, DestinationKind
from tending.sla.notify import Notice, deliver
from tending.sla.policies import add_destination
from tending.sla.targets import SEALED, destination_target

HOOK = "https://hooks.example/T1/B2/very-secret-token"


def test_sealed_targets_are_delivered_to_the_real_url(session, world, settings) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    sealed = add_destination(
        session,
        settings=settings,
        workspace_id=world.workspace.id,
        destination_in=AlertDestinationCreate(kind=DestinationKind.webhook, target=HOOK),
        actor_id=world.admin.id,
    )
    legacy = AlertDestination(
        workspace_id=world.workspace.id, kind="chat", target="https://chat.example/plain", active=True
    )
    session.add(legacy)
    session.flush()
    assert sealed.target.startswith(SEALED) and "very-secret-token" not in sealed.target
    assert destination_target(settings, legacy) == "https://chat.example/plain"
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        out = deliver(
            session,
            workspace_id=world.workspace.id,
            notice=Notice(subject="SLA", text="late"),
            settings=settings,
            http_client=client,
        )
    assert all(d.ok for d in out) and sorted(seen) == sorted([HOOK, "https://chat.example/plain"])

    # The credentials key, not the session key, seals targets: another credentials key cannot open them.
    other_key = Settings(
        data_dir=settings.data_dir, credentials_key=SecretStr(Fernet.generate_key().decode())
    )
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        out = deliver(
            session,
            workspace_id=world.workspace.id,
            notice=Notice(subject="SLA", text="late"),
            settings=other_key,
            http_client=client,
            destinations=[sealed, legacy],
        )
    assert [d.ok for d in out] == [False, True]
    assert "TENDING_CREDENTIALS_KEY" in (out[0].error or "")
