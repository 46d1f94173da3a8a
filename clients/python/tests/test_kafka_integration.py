"""Against a real Kafka broker: runs only when KAFKA_BROKERS is set.

Creates its own uniquely named topics (deleted afterwards), produces events the way
the service does (single-object Avro values, key = machine id, headers event-type
and event-id), and reads them back with EventConsumer and with the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from millstream_client import ConsumedEvent, EventConsumer, EventDecodeFailure, SchemaRegistry, encode

from conftest import part_produced

BROKERS = os.environ.get("KAFKA_BROKERS", "")

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(not BROKERS, reason="KAFKA_BROKERS is not set (no Kafka broker to test against)"),
]

KEYS = [f"machine-{i}" for i in range(1, 6)]
FIRST_BATCH = 10  # events per key before the recorded time -> 50
SECOND_BATCH = 2  # events per key after it -> 10
WAIT = 20.0  # seconds: upper bound for group join + delivery in one read


@dataclass
class KafkaFixture:
    topic: str
    bad_topic: str
    replay_from_ms: int  # set by the replay fixture
    registry: SchemaRegistry


def _produce(producer, topic: str, registry: SchemaRegistry, key: str, seq: int) -> None:
    record = part_produced(key, seq)
    producer.produce(
        topic,
        key=key.encode(),
        value=encode("PartProduced", record, registry),
        headers=[("event-type", b"PartProduced"), ("event-id", record["eventId"].encode())],
    )
    producer.poll(0)


def _flush(producer) -> None:
    remaining = producer.flush(30)
    assert remaining == 0, f"{remaining} messages not delivered"


@pytest.fixture(scope="module")
def kafka(registry: SchemaRegistry):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": BROKERS})
    run = uuid.uuid4().hex[:10]
    topic = f"pytest-{run}.production"
    bad_topic = f"pytest-{run}.mixed"
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=3, replication_factor=1), NewTopic(bad_topic, num_partitions=1, replication_factor=1)]
    )
    for f in futures.values():
        f.result(30)
    # wait until the topics' metadata is visible
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        md = admin.list_topics(timeout=10).topics
        if topic in md and bad_topic in md and len(md[topic].partitions) == 3:
            break
        time.sleep(0.2)

    errors: list[str] = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))

    producer = Producer({"bootstrap.servers": BROKERS, "enable.idempotence": True, "on_delivery": on_delivery})
    # 50 events over 5 keys, interleaved, sequence 1..10 per key
    for seq in range(1, FIRST_BATCH + 1):
        for key in KEYS:
            _produce(producer, topic, registry, key, seq)
    _flush(producer)

    # bad_topic: 3 good, 1 undecodable (JSON, not Avro), 1 good
    for seq in (1, 2, 3):
        _produce(producer, bad_topic, registry, "m-x", seq)
    producer.produce(bad_topic, key=b"m-x", value=b'{"not":"avro"}')
    _produce(producer, bad_topic, registry, "m-x", 4)
    _flush(producer)
    assert not errors, errors

    yield KafkaFixture(topic, bad_topic, 0, registry)

    for f in admin.delete_topics([topic, bad_topic]).values():
        try:
            f.result(30)
        except Exception:  # pragma: no cover - cleanup only
            pass


@pytest.fixture(scope="module")
def replay(kafka: KafkaFixture) -> KafkaFixture:
    """Records a time, then produces 10 more events (sequence 11-12 per key).

    Module-scoped and created on first use: tests that use it run after
    test_consume_from_beginning (file order), which sees only the first 50.
    """
    from confluent_kafka import Producer

    time.sleep(0.3)
    kafka.replay_from_ms = int(time.time() * 1000)
    time.sleep(0.3)
    producer = Producer({"bootstrap.servers": BROKERS, "enable.idempotence": True})
    for seq in range(FIRST_BATCH + 1, FIRST_BATCH + SECOND_BATCH + 1):
        for key in KEYS:
            _produce(producer, kafka.topic, kafka.registry, key, seq)
    _flush(producer)
    return kafka


def _group() -> str:
    return f"pytest-{uuid.uuid4().hex[:10]}"


def _read(consumer: EventConsumer, idle: float = 4.0) -> list[ConsumedEvent]:
    """Everything until ``idle`` seconds pass with nothing (after joining the group)."""
    return list(consumer.poll_events(timeout=idle))


def _assert_ordered_per_key(events: list[ConsumedEvent], expected_seqs: list[int]) -> None:
    by_key: dict[str, list[ConsumedEvent]] = defaultdict(list)
    for ce in events:
        by_key[ce.key].append(ce)
    assert sorted(by_key) == KEYS
    for key, items in by_key.items():
        assert len({ce.partition for ce in items}) == 1, f"{key} in several partitions"
        offsets = [ce.offset for ce in items]
        assert offsets == sorted(offsets)
        assert [ce.event.sequence for ce in items] == expected_seqs, key


def test_consume_from_beginning(kafka: KafkaFixture) -> None:
    with EventConsumer(BROKERS, _group(), kafka.topic, kafka.registry, from_beginning=True) as consumer:
        events = list(consumer.poll_events(timeout=WAIT, max_events=len(KEYS) * FIRST_BATCH))
        assert _read(consumer, idle=2.0) == []  # nothing more
    assert len(events) == 50
    for ce in events:
        assert ce.event is not None and ce.error is None
        assert ce.event.type == "PartProduced"
        assert ce.key == ce.event.key == ce.event.fields["machineId"]
        assert ce.headers["event-type"] == "PartProduced"
        assert ce.headers["event-id"] == ce.event.event_id
        assert ce.topic == kafka.topic and 0 <= ce.partition < 3
        assert ce.timestamp_ms is not None
    _assert_ordered_per_key(events, list(range(1, FIRST_BATCH + 1)))


def test_all_sixty_then_committed_offsets_resume(replay: KafkaFixture) -> None:
    kafka = replay
    group = _group()
    with EventConsumer(BROKERS, group, kafka.topic, kafka.registry, from_beginning=True) as consumer:
        first = list(consumer.poll_events(timeout=WAIT, max_events=60))
        assert len(first) == 60
        assert _read(consumer, idle=2.0) == []
    _assert_ordered_per_key(first, list(range(1, FIRST_BATCH + SECOND_BATCH + 1)))
    # Same group, no replay option, auto.offset.reset=earliest: if the commits had not
    # happened we would get all 60 again.
    with EventConsumer(
        BROKERS, group, kafka.topic, kafka.registry, config={"auto.offset.reset": "earliest"}
    ) as again:
        assert _read(again, idle=5.0) == []


def test_seek_by_timestamp(replay: KafkaFixture) -> None:
    kafka = replay
    with EventConsumer(
        BROKERS, _group(), kafka.topic, kafka.registry, from_timestamp=kafka.replay_from_ms, commit=False
    ) as consumer:
        events = _read(consumer, idle=5.0)
    assert len(events) == len(KEYS) * SECOND_BATCH
    assert all(ce.timestamp_ms >= kafka.replay_from_ms for ce in events)
    _assert_ordered_per_key(events, list(range(FIRST_BATCH + 1, FIRST_BATCH + SECOND_BATCH + 1)))

    # a datetime works the same; a time after everything gives nothing
    as_datetime = datetime.fromtimestamp(kafka.replay_from_ms / 1000, tz=timezone.utc)
    with EventConsumer(BROKERS, _group(), kafka.topic, kafka.registry, from_timestamp=as_datetime, commit=False) as c:
        assert len(_read(c, idle=5.0)) == 10
    with EventConsumer(
        BROKERS, _group(), kafka.topic, kafka.registry, from_timestamp=int(time.time() * 1000) + 60_000, commit=False
    ) as c:
        assert _read(c, idle=4.0) == []


def test_decode_error_policies(kafka: KafkaFixture) -> None:
    with EventConsumer(BROKERS, _group(), kafka.bad_topic, kafka.registry, from_beginning=True) as consumer:
        got = []
        with pytest.raises(EventDecodeFailure) as info:
            for ce in consumer.poll_events(timeout=WAIT):
                got.append(ce)
        assert len(got) == 3
        assert (info.value.topic, info.value.partition, info.value.offset) == (kafka.bad_topic, 0, 3)
        assert "C3 01" in str(info.value)

    with EventConsumer(
        BROKERS, _group(), kafka.bad_topic, kafka.registry, from_beginning=True, on_decode_error="yield"
    ) as consumer:
        events = _read(consumer)
    assert [ce.event is None for ce in events] == [False, False, False, True, False]
    assert "C3 01" in events[3].error

    with EventConsumer(
        BROKERS, _group(), kafka.bad_topic, kafka.registry, from_beginning=True, on_decode_error="skip"
    ) as consumer:
        events = _read(consumer)
    assert [ce.event.sequence for ce in events] == [1, 2, 3, 4]


def _cli(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "millstream_client", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cli_count(replay: KafkaFixture) -> None:
    kafka = replay
    proc = _cli("count", "--brokers", BROKERS, "--topic", kafka.topic, "--from-beginning", "--idle-timeout", "5")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    summary = json.loads(lines[0])
    assert list(summary) == ["count", "by_type", "partitions", "keys_in_order_ok", "errors", "duplicates"]
    assert summary["count"] == 60
    assert summary["by_type"] == {"PartProduced": 60}
    assert sum(summary["partitions"].values()) == 60
    assert set(summary["partitions"]) <= {"0", "1", "2"}
    assert all(n % 12 == 0 for n in summary["partitions"].values())  # whole keys per partition
    assert summary["keys_in_order_ok"] is True
    assert summary["errors"] == []

    since = datetime.fromtimestamp(kafka.replay_from_ms / 1000, tz=timezone.utc).isoformat()
    proc = _cli("count", "--brokers", BROKERS, "--topic", kafka.topic, "--from", since, "--idle-timeout", "5")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["count"] == 10

    proc = _cli("count", "--brokers", BROKERS, "--topic", kafka.bad_topic, "--from-beginning", "--idle-timeout", "5")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["count"] == 4 and summary["keys_in_order_ok"] is True
    assert len(summary["errors"]) == 1
    err = summary["errors"][0]
    assert (err["topic"], err["partition"], err["offset"], err["key"]) == (kafka.bad_topic, 0, 3, "m-x")
    assert "C3 01" in err["error"]


def test_cli_tail(replay: KafkaFixture) -> None:
    kafka = replay
    proc = _cli("tail", "--brokers", BROKERS, "--topic", kafka.topic, "--from-beginning", "--max", "7")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert len(lines) == 7
    for line in lines:
        assert list(line) == ["topic", "partition", "offset", "key", "type", "fields"]
        assert line["type"] == "PartProduced" and line["topic"] == kafka.topic
        assert line["key"] == line["fields"]["machineId"]
        assert line["fields"]["occurredAt"] == "2023-12-10T00:00:00.123Z"
        uuid.UUID(line["fields"]["eventId"])

    # idle timeout ends it, and a decode failure goes to stderr, not stdout
    proc = _cli("tail", "--brokers", BROKERS, "--topic", kafka.bad_topic, "--from-beginning", "--idle-timeout", "5")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 4
    assert '"offset":3' in proc.stderr
