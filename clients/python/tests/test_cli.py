"""CLI pieces that need no broker: JSON formatting and the count summary."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from millstream_client import ConsumedEvent, decode, encode
from millstream_client.catalog import TOPIC_SUFFIXES
from millstream_client.cli import build_parser, event_line, iso_millis, main, summarize, to_json_value, topics_of
from millstream_client.consumer import to_epoch_ms

from conftest import part_produced


def consumed(registry, partition: int, offset: int, key: str, seq: int, topic: str = "t") -> ConsumedEvent:
    event = decode(encode("PartProduced", part_produced(key, seq), registry), registry)
    return ConsumedEvent(topic, partition, offset, key, {"event-type": "PartProduced"}, event)


def failed(partition: int, offset: int) -> ConsumedEvent:
    return ConsumedEvent("t", partition, offset, "k", {}, None, error="bad magic")


def test_iso_millis() -> None:
    assert iso_millis(datetime(2023, 12, 10, tzinfo=timezone.utc)) == "2023-12-10T00:00:00.000Z"
    plus2 = timezone(timedelta(hours=2))
    assert iso_millis(datetime(2023, 12, 10, 2, 0, 0, 456789, tzinfo=plus2)) == "2023-12-10T00:00:00.456Z"


def test_to_json_value() -> None:
    u = uuid.UUID(int=5)
    out = to_json_value({"a": [u, b"\x00\xff", float("nan")], "t": datetime(2024, 1, 1, tzinfo=timezone.utc)})
    assert out == {"a": [str(u), "AP8=", "NaN"], "t": "2024-01-01T00:00:00.000Z"}
    json.dumps(out, allow_nan=False)


def test_event_line_shape(registry) -> None:
    line = event_line(consumed(registry, 1, 7, "m-1", 3))
    assert list(line) == ["topic", "partition", "offset", "key", "type", "fields"]
    assert line["type"] == "PartProduced"
    assert line["fields"]["occurredAt"] == "2023-12-10T00:00:00.123Z"
    assert line["fields"]["sequence"] == 3
    json.dumps(line, allow_nan=False)


def test_count_summary_ok(registry) -> None:
    events = []
    offsets = {0: 0, 1: 0}
    for seq in range(1, 4):
        for key, partition in (("a", 0), ("b", 1), ("c", 0)):
            events.append(consumed(registry, partition, offsets[partition], key, seq))
            offsets[partition] += 1
    events.append(failed(1, offsets[1]))
    summary = summarize(events + events[:2])  # redelivered records are counted once
    out = summary.to_json()
    assert list(out) == ["count", "by_type", "partitions", "keys_in_order_ok", "errors", "duplicates"]
    assert out["count"] == 9
    assert out["by_type"] == {"PartProduced": 9}
    assert out["partitions"] == {"0": 6, "1": 3}
    assert out["keys_in_order_ok"] is True
    assert out["errors"] == [{"topic": "t", "partition": 1, "offset": 3, "key": "k", "error": "bad magic"}]
    assert summary.to_json(details=True)["violations"] == []


def test_count_summary_counts_a_resent_event_once(registry) -> None:
    first = consumed(registry, 0, 0, "a", 1)
    resent = ConsumedEvent("t", 0, 1, "a", {"event-id": str(first.event.fields["eventId"])}, first.event)
    later = consumed(registry, 0, 2, "a", 2)
    out = summarize([first, resent, later]).to_json()
    assert (out["count"], out["duplicates"], out["keys_in_order_ok"]) == (2, 1, True)


def test_count_summary_sequence_not_increasing(registry) -> None:
    summary = summarize([consumed(registry, 0, 0, "a", 2), consumed(registry, 0, 1, "a", 2)])
    assert summary.keys_in_order_ok is False
    assert "sequence 2 at offset 1 after sequence 2" in summary.violations[0]
    summary = summarize([consumed(registry, 0, 0, "a", 5), consumed(registry, 0, 1, "a", 4)])
    assert summary.keys_in_order_ok is False


def test_count_summary_key_in_two_partitions(registry) -> None:
    summary = summarize([consumed(registry, 0, 0, "a", 1), consumed(registry, 1, 0, "a", 2)])
    assert summary.keys_in_order_ok is False
    assert "partitions 0 and 1" in summary.violations[0]


def test_count_same_key_on_two_topics_is_fine(registry) -> None:
    summary = summarize([consumed(registry, 0, 0, "a", 1, "x"), consumed(registry, 1, 0, "a", 1, "y")])
    assert summary.keys_in_order_ok is True


def test_parser() -> None:
    parser = build_parser()
    args = parser.parse_args(["count", "--brokers", "b:1", "--topic", "millstream.production", "--from-beginning"])
    assert args.idle_timeout == 10.0 and args.from_beginning and args.from_ts is None
    args = parser.parse_args(["tail", "--brokers", "b:1", "--topic", "t", "--from", "2023-12-10T00:00:00Z", "--max", "3"])
    assert args.from_ts == 1702166400000 and args.max == 3 and args.idle_timeout is None
    with pytest.raises(SystemExit):
        parser.parse_args(["tail", "--topic", "t", "--from", "2023-01-01", "--from-beginning"])
    with pytest.raises(SystemExit):
        parser.parse_args(["tail", "--topic", "t", "--from", "yesterday"])


def test_to_epoch_ms() -> None:
    assert to_epoch_ms("2023-12-10T00:00:00.000Z") == 1702166400000
    assert to_epoch_ms("2023-12-10T01:00:00+01:00") == 1702166400000
    assert to_epoch_ms("2023-12-10T00:00:00") == 1702166400000  # naive = UTC
    assert to_epoch_ms("1702166400000") == 1702166400000
    assert to_epoch_ms(datetime(2023, 12, 10, tzinfo=timezone.utc)) == 1702166400000


def test_no_brokers_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.delenv("KAFKA_BROKERS", raising=False)
    with pytest.raises(SystemExit, match="no brokers"):
        main(["count", "--topic", "t"])


def test_schemas_subcommand(registry) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "millstream_client", "schemas"], capture_output=True, text=True, check=True
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    pp = [r for r in rows if r["name"] == "millstream.events.PartProduced" and r["current"]][0]
    schema = registry.latest("PartProduced")
    assert pp["fingerprint"] == f"{schema.fingerprint:016x}"
    assert pp["header"] == "c301" + schema.fingerprint_bytes.hex()


def test_unreachable_brokers_exit_1_after_join_timeout() -> None:
    """No broker on 127.0.0.1:1: count still prints its JSON, then exits 1 with the reason."""
    proc = subprocess.run(
        [sys.executable, "-m", "millstream_client", "count", "--brokers", "127.0.0.1:1",
         "--topic", "t", "--from-beginning", "--join-timeout", "2", "--idle-timeout", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {
        "count": 0, "by_type": {}, "partitions": {}, "keys_in_order_ok": True, "errors": [], "duplicates": 0
    }
    assert "no partition assignment" in proc.stderr and "Connection refused" in proc.stderr


def test_reads_every_topic_of_the_catalog_by_default(monkeypatch) -> None:
    monkeypatch.delenv("KAFKA_TOPIC_PREFIX", raising=False)
    parser = build_parser()
    args = parser.parse_args(["count", "--brokers", "b:1"])
    assert topics_of(args) == [f"millstream.{suffix}" for suffix in TOPIC_SUFFIXES]
    assert "millstream.production" in topics_of(args)
    prefixed = parser.parse_args(["tail", "--brokers", "b:1", "--topic-prefix", "plant7"])
    assert all(t.startswith("plant7.") for t in topics_of(prefixed))
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", "site2")
    assert topics_of(build_parser().parse_args(["count"]))[0].startswith("site2.")


def test_reads_only_the_topics_named() -> None:
    args = build_parser().parse_args(["count", "--topic", "a.x,a.y", "--topic", "b.z"])
    assert topics_of(args) == ["a.x", "a.y", "b.z"]
    with pytest.raises(SystemExit):
        topics_of(build_parser().parse_args(["count", "--topic", " , "]))
