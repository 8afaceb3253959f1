"""Login answer time for a known e-mail with a wrong password against an unknown e-mail (they should not
tell apart which e-mails have accounts), and the cost of resolving a server-side session per request.

    .venv/bin/python bench/login_timing.py [--rounds 40]

Calls the app in-process on a fresh SQLite database (no network); attempts alternate between the two
kinds and between many source addresses, so no login limit is reached. Prints the median and p90 of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fastapi.testclient import TestClient

from tending.app import create_app
from tending.auth.models import Role, UserCreate
from tending.auth.service import create_user
from tending.config import Settings
from tending.database.core import make_engine, make_session_factory
from tending.database.migrate import upgrade

PASSWORD = "correct horse battery"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40, help="attempts of each kind")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench-secret-key-0123456789-abcdefghij")
        engine = make_engine(settings)
        upgrade(engine)
        with make_session_factory(engine)() as s:
            create_user(
                s,
                user_in=UserCreate(
                    email="known@bench.test", name="Known", password=PASSWORD, role=Role.member
                ),
            )
            s.commit()
        app = create_app(settings)
        times: dict[str, list[float]] = {"known e-mail, wrong password": [], "unknown e-mail": []}
        for n in range(args.rounds):
            for kind, email in (
                ("known e-mail, wrong password", "known@bench.test"),
                ("unknown e-mail", f"nobody{n}@bench.test"),
            ):
                with TestClient(app, client=(f"10.0.{n // 200}.{n % 200}", 1000)) as c:
                    start = time.perf_counter()
                    r = c.post("/api/v1/auth/login", json={"email": email, "password": "wrong password"})
                    times[kind].append(time.perf_counter() - start)
                    assert r.status_code == 401, r.text
        for kind, samples in times.items():
            print(f"{kind:30} {_ms(samples)}")
        with TestClient(app) as c:
            c.post("/api/v1/auth/login", json={"email": "known@bench.test", "password": PASSWORD})
            me = []
            for _ in range(args.rounds * 5):
                start = time.perf_counter()
                assert c.get("/api/v1/me").status_code == 200
                me.append(time.perf_counter() - start)
        print(f"{'GET /api/v1/me (session)':30} {_ms(me)}")


if __name__ == "__main__":
    main()
