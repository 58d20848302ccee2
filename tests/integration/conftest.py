"""The real app, in-process, over a real SQLite file in a temp data dir."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings, load_settings

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        return load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path / "data"), **environ})

    return make


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as test_client:
        yield test_client
