from __future__ import annotations

import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # for avro_spec_vectors / helpers

from millstream_client import SchemaRegistry  # noqa: E402


def repo_schema_dir() -> Path:
    for folder in (HERE, *HERE.parents):
        candidate = folder / "schemas" / "avro"
        if candidate.is_dir():
            return candidate
    raise RuntimeError("schemas/avro not found above the tests")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    return repo_schema_dir()


@pytest.fixture(scope="session")
def registry(schema_dir: Path) -> SchemaRegistry:
    return SchemaRegistry.from_directory(schema_dir)


def part_produced(machine: str = "m-1", sequence: int = 1, **overrides):
    """A PartProduced record as the service writes it."""
    record = {
        "eventId": str(uuid.uuid4()),
        "type": "PartProduced",
        "key": machine,
        "sequence": sequence,
        "occurredAt": datetime(2023, 12, 10, 0, 0, 0, 123000, tzinfo=timezone.utc),
        "recordedAt": datetime(2023, 12, 10, 0, 0, 1, tzinfo=timezone.utc),
        "machineId": machine,
        "partId": 4,
        "order": 5,
        "damaged": False,
        "var1": 1.5,
        "var2": "a",
        "var3": None,
        "var4": None,
        "messageId": None,
    }
    record.update(overrides)
    return record
