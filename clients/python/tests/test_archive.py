"""Archive files of the event log, read from the fixture the TypeScript writer made.

The fixture (``fixtures/archive/``) is written by ``test/unit/archive/python-fixture.test.ts``
(``WRITE_ARCHIVE_FIXTURE=1 npx jest --selectProjects unit -- test/unit/archive/python-fixture``
writes it again); that test also checks it still reads back as the events it was made from.
"""

from __future__ import annotations

import base64
import json
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from millstream_client.archive import list_archives, read_archive
from millstream_client.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "archive"
FIXTURE = FIXTURES / "event_log_20231210_0000.avro"
SIDECARS = (".sha256", ".json")
DEAD_LETTER_PAYLOAD = bytes([0x7B, 0x22, 0x76, 0x22, 0x3A, 0xFF, 0x00, 0xFE, 0x7D])


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def copy_archive(target: Path) -> Path:
    for suffix in ("", *SIDECARS):
        shutil.copy(FIXTURES / (FIXTURE.name + suffix), target / (FIXTURE.name + suffix))
    return target / FIXTURE.name


def test_reads_every_event_in_position_order() -> None:
    events = list(read_archive(FIXTURE))
    assert [e["position"] for e in events] == list(range(101, 109))
    assert [e["event"]["type"] for e in events] == [
        "PartProduced",
        "MachineStateChanged",
        "MachineMetricsRecorded",
        "MachineAlertRaised",
        "MachineCountersReset",
        "PartInfoUpdated",
        "MaterialPriceRecorded",
        "DeadLetter",
    ]


def test_fields_of_a_part_produced() -> None:
    first = next(iter(read_archive(FIXTURE)))
    assert first == {
        "position": 101,
        "tx_id": "70000",
        "recorded_at": utc(2023, 12, 10, 6, 0, 0, 250000),
        "idempotency_key": "input-101",
        "event": {
            "eventId": uuid.UUID("0190b6a0-1111-7000-8000-000000000001"),
            "type": "PartProduced",
            "key": "m-7",
            "sequence": 41,
            "occurredAt": utc(2023, 12, 10, 6, 0, 0, 125000),
            "recordedAt": utc(2023, 12, 10, 6, 0, 0, 250000),
            "machineId": "m-7",
            "partId": 4,
            "order": 1001,
            "damaged": False,
            "var1": 1.5,
            "var2": "blue",
            "var3": None,
            "var4": None,
            "messageId": "msg-0001",
            "idealCycleSeconds": 30.0,
        },
    }


def test_fields_of_a_state_change_and_metrics() -> None:
    events = list(read_archive(FIXTURE))
    state, metrics = events[1], events[2]
    assert state["idempotency_key"] is None
    assert state["event"]["state"] == "down"
    assert state["event"]["previousState"] == "running"
    assert state["event"]["reason"] == "jam at station 3"
    assert metrics["tx_id"] == "70001"
    assert metrics["event"]["metrics"] == {"temperature": 71.25, "spindleRpm": 12000.0}


def test_a_dead_letter_keeps_its_bytes() -> None:
    dead = list(read_archive(FIXTURE))[-1]
    assert dead["position"] == 108
    assert dead["recorded_at"] == utc(2023, 12, 10, 6, 6, 0, 8000)
    assert dead["event"]["payload"] == DEAD_LETTER_PAYLOAD
    assert dead["event"]["source"] == "factory/machines/m-7/production"
    assert dead["event"]["reason"] == "payload is not JSON"
    assert dead["event"]["receivedAt"] == utc(2023, 12, 10, 6, 6)


def test_rejects_a_tampered_copy(tmp_path: Path) -> None:
    copy = copy_archive(tmp_path)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x40
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"sha256 is .* the file is damaged") as raised:
        list(read_archive(copy))
    assert str(copy) in str(raised.value)


def test_rejects_a_missing_sidecar(tmp_path: Path) -> None:
    copy = copy_archive(tmp_path)
    (tmp_path / (copy.name + ".sha256")).unlink()
    with pytest.raises(ValueError, match="no checksum sidecar .* not complete") as raised:
        list(read_archive(copy))
    assert str(copy) in str(raised.value)
    assert len(list(read_archive(copy, verify=False))) == 8


def test_lists_complete_archives_only(tmp_path: Path) -> None:
    assert list_archives(tmp_path / "nowhere") == []
    copy = copy_archive(tmp_path)
    (tmp_path / ".event_log_20231211_0000.avro.1-2.tmp").write_bytes(b"half")
    (tmp_path / "event_log_20231211_0000.avro").write_bytes(b"no sidecar yet")
    [summary] = list_archives(tmp_path)
    assert summary.path == copy
    assert summary.partition == "event_log_20231210_0000"
    assert (summary.range_from, summary.range_to) == (1702166400000, 1702252800000)
    assert (summary.events, summary.first_position, summary.last_position) == (8, 101, 108)
    assert summary.bytes == copy.stat().st_size
    assert summary.sha256 == (tmp_path / (copy.name + ".sha256")).read_text().split()[0]


def test_cli_prints_one_json_line_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", str(FIXTURE)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 8
    assert list(lines[0]) == ["position", "tx_id", "recorded_at", "idempotency_key", "type", "event"]
    assert lines[0]["recorded_at"] == "2023-12-10T06:00:00.250Z"
    assert lines[0]["event"]["eventId"] == "0190b6a0-1111-7000-8000-000000000001"
    dead = lines[-1]
    assert dead["type"] == "DeadLetter"
    assert base64.b64decode(dead["event"]["payload"]) == DEAD_LETTER_PAYLOAD


def test_cli_fails_on_a_damaged_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = copy_archive(tmp_path)
    data = copy.read_bytes()
    copy.write_bytes(data[:-1] + bytes([data[-1] ^ 0x01]))
    assert main(["archive", str(copy)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(copy) in captured.err
