"""A Kafka consumer that yields decoded millstream events.

Commit policy (at-least-once)
-----------------------------
``enable.auto.commit`` is off. An event counts as *processed* once the caller
asks for the next one (next iteration / next ``poll``), calls :meth:`commit`, or
closes the consumer normally (``close()`` or leaving a ``with`` block without an
exception). Processed offsets are committed asynchronously every
``commit_every`` events or ``commit_interval`` seconds, and synchronously on
partition revocation and on close. An event whose processing raised (the
``with`` block exits with an exception) is not committed, so it is delivered
again to the group. Pass ``commit=False`` to never commit (e.g. a throwaway
group used for a one-off replay).

Replay
------
``from_beginning=True`` or ``from_timestamp=...`` override the group's
committed offsets the first time this consumer is assigned each partition:
the position is set in the ``on_assign`` callback (``offsets_for_times`` for a
timestamp; a partition with no message at or after the timestamp starts at its
end). Later rebalances resume from the committed offsets.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Literal, Mapping

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from .catalog import TOPIC_SUFFIXES
from .codec import DecodedEvent, DecodeError, decode
from .schemas import SchemaRegistry, default_registry
from .security import KafkaSecurity

log = logging.getLogger(__name__)
rdkafka_log = logging.getLogger("millstream_client.librdkafka")
"""librdkafka's own log lines (the CLI silences them unless --verbose)."""

DEFAULT_TOPIC_PREFIX = "millstream"


def topic_name(suffix: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
    """``{prefix}.{suffix}``, e.g. ``topic_name("production")`` -> ``millstream.production``."""
    return f"{prefix}.{suffix}" if prefix else suffix


def all_topics(prefix: str = DEFAULT_TOPIC_PREFIX) -> list[str]:
    return [topic_name(s, prefix) for s in TOPIC_SUFFIXES]


@dataclass(frozen=True)
class ConsumedEvent:
    """A Kafka record and its decoded event.

    ``event`` is ``None`` only when the consumer was built with
    ``on_decode_error="yield"`` and the value could not be decoded; ``error``
    then says why.
    """

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    event: DecodedEvent | None
    timestamp_ms: int | None = None
    error: str | None = None


class EventDecodeFailure(DecodeError):
    """Raised by the consumer (``on_decode_error="raise"``) with the record's position."""

    def __init__(self, topic: str, partition: int, offset: int, cause: DecodeError) -> None:
        super().__init__(f"{topic}[{partition}]@{offset}: {cause}")
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.cause = cause


def to_epoch_ms(value: datetime | int | float | str) -> int:
    """Epoch milliseconds from a datetime (naive = UTC), a number (ms) or an ISO-8601 string."""
    if isinstance(value, bool):
        raise TypeError("timestamp must be a datetime, epoch ms or ISO-8601 string")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        value = datetime.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(round(value.timestamp() * 1000))
    raise TypeError(f"unsupported timestamp {value!r}")


def _decode_headers(raw: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw or ():
        if value is None:
            headers[name] = ""
        elif isinstance(value, (bytes, bytearray)):
            headers[name] = bytes(value).decode("utf-8", errors="replace")
        else:
            headers[name] = str(value)
    return headers


class EventConsumer:
    """Consume millstream topics and yield :class:`ConsumedEvent`.

    ``brokers``: bootstrap servers (``host:port,...``); ``topics``: names or one
    name; ``registry``: schemas (default: the repository's ``schemas/avro``).
    ``on_decode_error``: ``"raise"`` (default, raises :class:`EventDecodeFailure`;
    the record is not committed), ``"yield"`` (a ``ConsumedEvent`` with
    ``event=None`` and ``error``) or ``"skip"`` (logged and committed past).
    ``security``: TLS and SASL (default: none); ``config``: extra librdkafka
    settings, applied last.
    """

    def __init__(
        self,
        brokers: str,
        group_id: str,
        topics: str | Iterable[str],
        registry: SchemaRegistry | None = None,
        from_timestamp: datetime | int | str | None = None,
        from_beginning: bool = False,
        *,
        on_decode_error: Literal["raise", "yield", "skip"] = "raise",
        commit: bool = True,
        commit_every: int = 500,
        commit_interval: float = 5.0,
        security: KafkaSecurity | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        if from_beginning and from_timestamp is not None:
            raise ValueError("give from_beginning or from_timestamp, not both")
        if on_decode_error not in ("raise", "yield", "skip"):
            raise ValueError(f"on_decode_error must be raise, yield or skip, not {on_decode_error!r}")
        self.topics = [topics] if isinstance(topics, str) else list(topics)
        if not self.topics:
            raise ValueError("no topics to consume")
        self.registry = registry if registry is not None else default_registry()
        self.from_timestamp_ms = None if from_timestamp is None else to_epoch_ms(from_timestamp)
        self.from_beginning = from_beginning
        self.on_decode_error = on_decode_error
        self.commit_enabled = commit
        self.commit_every = max(1, commit_every)
        self.commit_interval = commit_interval

        conf: dict[str, Any] = {
            "bootstrap.servers": brokers,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest" if (from_beginning or from_timestamp is not None) else "latest",
            "enable.partition.eof": False,
        }
        conf["logger"] = rdkafka_log
        conf["error_cb"] = self._on_error
        if security is not None:
            conf.update(security.librdkafka_config())
        conf.update(config or {})
        self.last_error: str | None = None
        """The most recent error librdkafka reported (e.g. brokers down, unknown topic)."""
        self._reported_errors: set[str] = set()
        # Cooperative / KIP-848 ("consumer") protocols hand out partitions incrementally.
        self._incremental = "cooperative" in str(conf.get("partition.assignment.strategy", "")) or (
            str(conf.get("group.protocol", "classic")) == "consumer"
        )
        self._consumer = Consumer(conf)
        self._positioned: set[tuple[str, int]] = set()
        self._pending: dict[tuple[str, int], int] = {}
        self._pending_count = 0
        self._last_commit = time.monotonic()
        self._delivered: ConsumedEvent | None = None
        self._closed = False
        self.assignment_count = 0
        """How many times partitions were assigned (tests and idle timers use it)."""
        self.last_assignment_at: float | None = None
        self._consumer.subscribe(self.topics, on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_error(self, err: KafkaError) -> None:
        self._note_error(err)
        if err.fatal():
            log.error("kafka fatal error: %s", err)

    def _note_error(self, err: KafkaError) -> None:
        text = err.str()
        self.last_error = text
        # librdkafka repeats errors while it retries ("... (after 3ms in state CONNECT)")
        dedupe_key = re.sub(r"\d+", "#", text)
        if dedupe_key not in self._reported_errors:
            self._reported_errors.add(dedupe_key)
            log.warning("kafka: %s", text)

    # -- rebalance callbacks -------------------------------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        fresh = [p for p in partitions if (p.topic, p.partition) not in self._positioned]
        if fresh and (self.from_beginning or self.from_timestamp_ms is not None):
            if self.from_beginning:
                for p in fresh:
                    p.offset = OFFSET_BEGINNING
            else:
                query = [TopicPartition(p.topic, p.partition, self.from_timestamp_ms) for p in fresh]
                found = consumer.offsets_for_times(query, timeout=30)
                by_tp = {(tp.topic, tp.partition): tp for tp in found}
                for p in fresh:
                    tp = by_tp.get((p.topic, p.partition))
                    if tp is not None and tp.error is not None:
                        raise KafkaException(tp.error)
                    # offset -1: no message at or after the timestamp -> start at the end.
                    p.offset = tp.offset if tp is not None and tp.offset >= 0 else OFFSET_END
            log.debug("positioned %s", [(p.topic, p.partition, p.offset) for p in fresh])
        for p in partitions:
            self._positioned.add((p.topic, p.partition))
        if self._incremental:
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
        self.assignment_count += 1
        self.last_assignment_at = time.monotonic()

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Still the owner here: commit what was processed before giving partitions away.
        # (confluent_kafka unassigns by itself after this callback returns.)
        self._commit_pending(asynchronous=False)

    # -- commits ------------------------------------------------------------

    def _mark_processed(self, event: ConsumedEvent | None) -> None:
        if event is None:
            return
        self._pending[(event.topic, event.partition)] = event.offset + 1
        self._pending_count += 1
        if (
            self._pending_count >= self.commit_every
            or time.monotonic() - self._last_commit >= self.commit_interval
        ):
            self._commit_pending(asynchronous=True)

    def _commit_pending(self, asynchronous: bool) -> None:
        self._last_commit = time.monotonic()
        if not self._pending or not self.commit_enabled:
            self._pending.clear()
            self._pending_count = 0
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in self._pending.items()]
        self._pending.clear()
        self._pending_count = 0
        try:
            self._consumer.commit(offsets=offsets, asynchronous=asynchronous)
        except KafkaException as exc:
            # e.g. no coordinator / rebalance in progress: the events will be redelivered.
            log.warning("offset commit failed: %s", exc)

    def commit(self) -> None:
        """Mark the last delivered event processed and commit synchronously."""
        self._mark_delivered_processed()
        self._commit_pending(asynchronous=False)

    def _mark_delivered_processed(self) -> None:
        delivered, self._delivered = self._delivered, None
        self._mark_processed(delivered)

    # -- consuming ------------------------------------------------------------

    def poll(self, timeout: float = 1.0) -> ConsumedEvent | None:
        """The next event, or ``None`` if none arrived within ``timeout`` seconds.

        Calling it marks the previously returned event processed.
        """
        if self._closed:
            raise RuntimeError("consumer is closed")
        self._mark_delivered_processed()
        deadline = time.monotonic() + timeout
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            msg = self._consumer.poll(remaining)
            if msg is None:
                return None
            event = self._handle(msg)
            if event is not None:
                self._delivered = event
                return event
            if time.monotonic() >= deadline:
                return None

    def _handle(self, msg: Message) -> ConsumedEvent | None:
        err = msg.error()
        if err is not None:
            if err.fatal():
                raise KafkaException(err)
            if err.code() == KafkaError._PARTITION_EOF:
                return None
            self._note_error(err)
            return None
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        raw_key = msg.key()
        key = None if raw_key is None else raw_key.decode("utf-8", errors="replace")
        ts_type, ts = msg.timestamp()
        timestamp_ms = ts if ts_type != 0 and ts >= 0 else None  # 0 = TIMESTAMP_NOT_AVAILABLE
        headers = _decode_headers(msg.headers())
        try:
            event = decode(msg.value(), self.registry)
        except DecodeError as exc:
            if self.on_decode_error == "raise":
                raise EventDecodeFailure(topic, partition, offset, exc) from exc
            if self.on_decode_error == "skip":
                log.warning("skipping %s[%d]@%d: %s", topic, partition, offset, exc)
                self._mark_processed(
                    ConsumedEvent(topic, partition, offset, key, headers, None, timestamp_ms, str(exc))
                )
                return None
            return ConsumedEvent(topic, partition, offset, key, headers, None, timestamp_ms, str(exc))
        return ConsumedEvent(topic, partition, offset, key, headers, event, timestamp_ms)

    def poll_events(
        self,
        timeout: float | None = 1.0,
        max_events: int | None = None,
        join_timeout: float | None = 30.0,
    ) -> Iterator[ConsumedEvent]:
        """Yield events until ``timeout`` seconds pass with none (``None``: forever)
        or ``max_events`` were yielded.

        The idle clock starts once the consumer has joined its group (the first
        partition assignment, which can take seconds on a fresh broker) and restarts
        on every event and every assignment. Until then it waits up to
        ``join_timeout`` seconds (``None``: forever); check :attr:`joined` afterwards to
        tell "no events" from "never got partitions" (e.g. brokers unreachable).
        """
        yielded = 0
        started = last_activity = time.monotonic()
        seen_assignments = self.assignment_count
        while max_events is None or yielded < max_events:
            step = 0.5 if timeout is None else min(0.5, max(0.0, timeout))
            event = self.poll(step)
            now = time.monotonic()
            if self.assignment_count != seen_assignments:
                seen_assignments = self.assignment_count
                last_activity = now
            if event is None:
                if not self.joined:
                    if join_timeout is not None and now - started >= join_timeout:
                        return
                    continue
                if timeout is not None and now - last_activity >= timeout:
                    return
                continue
            last_activity = now
            yielded += 1
            yield event

    @property
    def joined(self) -> bool:
        """True once the group gave this consumer an assignment (possibly empty)."""
        return self.assignment_count > 0

    def __iter__(self) -> Iterator[ConsumedEvent]:
        return self.poll_events(timeout=None)

    # -- lifecycle ------------------------------------------------------------

    def close(self, processed: bool = True) -> None:
        """Commit what was processed (``processed``: the last delivered event too) and leave."""
        if self._closed:
            return
        if processed:
            self._mark_delivered_processed()
        self._delivered = None
        try:
            self._commit_pending(asynchronous=False)
        finally:
            self._closed = True
            self._consumer.close()

    def __enter__(self) -> "EventConsumer":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close(processed=exc_type is None)

    @property
    def raw(self) -> Consumer:
        """The underlying confluent_kafka Consumer."""
        return self._consumer
