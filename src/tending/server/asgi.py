"""ASGI entry point for uvicorn/gunicorn: `tending.server.asgi:app`."""

from tending.app import create_app

app = create_app()
