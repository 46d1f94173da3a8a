"""Command line: ``python -m millstream_client {tail,count,schemas,archive} ...``.

Output formats are a contract (the TypeScript end-to-end test parses ``count``);
they are documented in ``clients/python/README.md``. In short:

* ``tail``: one JSON object per line on stdout, keys in this order:
  ``topic, partition, offset, key, type, fields``. Timestamp fields
  (``timestamp-millis``) are ISO-8601 UTC strings with milliseconds and ``Z``
  (``2023-12-10T00:00:00.000Z``); uuids are strings; bytes are base64.
  Records that fail to decode go to stderr as ``{"error": ..., "topic", ...}``.
* ``count``: exactly one JSON object on stdout:
  ``{"count", "by_type", "partitions", "keys_in_order_ok", "errors"}``.
* ``archive``: one JSON object per event of the archive files given, keys in this order:
  ``position, tx_id, recorded_at, idempotency_key, type, event`` (values as for ``tail``).
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import math
import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, Iterable, Sequence

from confluent_kafka import KafkaException

from .archive import read_archive
from .catalog import TOPIC_SUFFIXES
from .consumer import ConsumedEvent, EventConsumer, to_epoch_ms
from .schemas import SchemaRegistry
from .security import KafkaSecurity, KafkaSecurityError

MAX_VIOLATIONS = 50


# -- JSON ------------------------------------------------------------------------


def iso_millis(value: datetime) -> str:
    """``2023-12-10T00:00:00.000Z`` (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_json_value(value: Any) -> Any:
    """Make a decoded Avro value JSON-friendly (see module doc)."""
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def event_line(ce: ConsumedEvent) -> dict[str, Any]:
    assert ce.event is not None
    return {
        "topic": ce.topic,
        "partition": ce.partition,
        "offset": ce.offset,
        "key": ce.key,
        "type": ce.event.type,
        "fields": to_json_value(ce.event.fields),
    }


def archive_line(logged: dict[str, Any]) -> dict[str, Any]:
    """One event of an archive file as a line of ``archive`` output."""
    return {
        "position": logged["position"],
        "tx_id": logged["tx_id"],
        "recorded_at": to_json_value(logged["recorded_at"]),
        "idempotency_key": logged["idempotency_key"],
        "type": logged["event"].get("type"),
        "event": to_json_value(logged["event"]),
    }


def error_entry(ce: ConsumedEvent) -> dict[str, Any]:
    return {
        "topic": ce.topic,
        "partition": ce.partition,
        "offset": ce.offset,
        "key": ce.key,
        "error": ce.error,
    }


# -- count ------------------------------------------------------------------------


@dataclass
class CountSummary:
    """Aggregates ``count`` output; usable on any iterable of ConsumedEvent."""

    count: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    partitions: dict[int, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    keys_in_order_ok: bool = True
    duplicates: int = 0
    _seen: set[tuple[str, int, int]] = field(default_factory=set)
    _event_ids: set[str] = field(default_factory=set)
    _last_seq: dict[tuple[str, int, str], tuple[int, int]] = field(default_factory=dict)
    _key_partition: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, ce: ConsumedEvent) -> None:
        position = (ce.topic, ce.partition, ce.offset)
        if position in self._seen:  # redelivered after a rebalance: count once
            return
        self._seen.add(position)
        if ce.event is None:
            self.errors.append(error_entry(ce))
            return
        # The relay publishes at least once: a re-sent event repeats its event id. Count it once.
        event_id = ce.headers.get("event-id") or str(ce.event.fields.get("eventId", ""))
        if event_id:
            if event_id in self._event_ids:
                self.duplicates += 1
                return
            self._event_ids.add(event_id)
        self.count += 1
        self.by_type[ce.event.type] = self.by_type.get(ce.event.type, 0) + 1
        self.partitions[ce.partition] = self.partitions.get(ce.partition, 0) + 1
        key = ce.key if ce.key is not None else ce.event.key
        if key is None:
            return
        home = self._key_partition.setdefault((ce.topic, key), ce.partition)
        if home != ce.partition:
            self._violation(
                f"key {key!r} on {ce.topic} in partitions {home} and {ce.partition} "
                f"(offset {ce.offset})"
            )
        seq = ce.event.sequence
        if seq is None:
            return
        slot = (ce.topic, ce.partition, key)
        previous = self._last_seq.get(slot)
        if previous is not None and (ce.offset < previous[1] or seq <= previous[0]):
            self._violation(
                f"key {key!r} on {ce.topic}[{ce.partition}]: sequence {seq} at offset "
                f"{ce.offset} after sequence {previous[0]} at offset {previous[1]}"
            )
        if previous is None or ce.offset > previous[1]:
            self._last_seq[slot] = (seq, ce.offset)

    def _violation(self, text: str) -> None:
        self.keys_in_order_ok = False
        if len(self.violations) < MAX_VIOLATIONS:
            self.violations.append(text)

    def to_json(self, details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "count": self.count,
            "by_type": dict(sorted(self.by_type.items())),
            "partitions": {str(p): n for p, n in sorted(self.partitions.items())},
            "keys_in_order_ok": self.keys_in_order_ok,
            "errors": self.errors,
            "duplicates": self.duplicates,
        }
        if details:
            out["violations"] = self.violations
        return out


def summarize(events: Iterable[ConsumedEvent]) -> CountSummary:
    summary = CountSummary()
    for ce in events:
        summary.add(ce)
    return summary


# -- argument parsing ---------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _timestamp(text: str) -> int:
    try:
        return to_epoch_ms(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time or epoch milliseconds: {text!r} ({exc})"
        ) from exc


def _consume_options(p: argparse.ArgumentParser, idle_default: float | None) -> None:
    p.add_argument(
        "--brokers",
        default=os.environ.get("KAFKA_BROKERS"),
        help="bootstrap servers host:port[,...] (default: $KAFKA_BROKERS)",
    )
    p.add_argument(
        "--topic",
        action="append",
        default=[],
        help="topic to read, e.g. millstream.production (repeat or comma-separate for several; "
        "default: every topic the service writes, under --topic-prefix)",
    )
    p.add_argument(
        "--topic-prefix",
        default=os.environ.get("KAFKA_TOPIC_PREFIX") or "millstream",
        help="the service's KAFKA_TOPIC_PREFIX (default: $KAFKA_TOPIC_PREFIX or millstream)",
    )
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--from",
        dest="from_ts",
        type=_timestamp,
        metavar="ISO8601",
        help="replay from this time (ISO-8601, naive = UTC; or epoch ms): offsets_for_times",
    )
    start.add_argument("--from-beginning", action="store_true", help="replay from the earliest offset")
    p.add_argument(
        "--group",
        help="consumer group id; offsets are committed only when given "
        "(default: a throwaway group millstream-client-<random>, no commits)",
    )
    p.add_argument("--max", type=_positive_int, metavar="N", help="stop after N events")
    p.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=idle_default,
        metavar="S",
        help="stop after S seconds without a message"
        + (f" (default {idle_default:g})" if idle_default else " (default: never)"),
    )
    p.add_argument(
        "--join-timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="give up (exit 1) if no partitions are assigned within S seconds (default 30); "
        "the idle timeout counts only from the first assignment",
    )
    p.add_argument("--schemas", help="schema folder (default: $MILLSTREAM_SCHEMAS or the repo's schemas/avro)")
    env = os.environ.get
    p.add_argument(
        "--ssl",
        action="store_true",
        default=(env("KAFKA_SSL") or "false").lower() in ("true", "1", "yes"),
        help="TLS to the brokers (default: $KAFKA_SSL; implied by --ssl-ca/--ssl-cert)",
    )
    p.add_argument("--ssl-ca", default=env("KAFKA_SSL_CA_FILE"), metavar="FILE", help="PEM CA (default: $KAFKA_SSL_CA_FILE)")
    p.add_argument("--ssl-cert", default=env("KAFKA_SSL_CERT_FILE"), metavar="FILE", help="PEM client certificate (default: $KAFKA_SSL_CERT_FILE)")
    p.add_argument("--ssl-key", default=env("KAFKA_SSL_KEY_FILE"), metavar="FILE", help="PEM client key (default: $KAFKA_SSL_KEY_FILE)")
    p.add_argument(
        "--sasl-mechanism",
        default=env("KAFKA_SASL_MECHANISM"),
        choices=["scram-sha-512", "scram-sha-256", "plain"],
        help="SASL login (default: $KAFKA_SASL_MECHANISM)",
    )
    p.add_argument("--sasl-username", default=env("KAFKA_SASL_USERNAME"), help="default: $KAFKA_SASL_USERNAME")
    p.add_argument(
        "--sasl-password-file",
        default=env("KAFKA_SASL_PASSWORD_FILE"),
        metavar="FILE",
        help="file holding the password (default: $KAFKA_SASL_PASSWORD_FILE); never given on the command line",
    )
    p.add_argument(
        "--kafka-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra librdkafka consumer setting (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m millstream_client",
        description="Read millstream's Avro events from Kafka.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr at debug level")
    sub = parser.add_subparsers(dest="command", required=True)

    tail = sub.add_parser("tail", help="print one JSON line per event")
    _consume_options(tail, idle_default=None)

    count = sub.add_parser("count", help="print one JSON summary of the events read")
    _consume_options(count, idle_default=10.0)
    count.add_argument(
        "--details",
        action="store_true",
        help='add "violations": why keys_in_order_ok is false (first 50)',
    )

    schemas = sub.add_parser("schemas", help="list loaded schemas and fingerprints (JSON lines)")
    schemas.add_argument("--schemas", help="schema folder")

    archive = sub.add_parser("archive", help="print the events of event-log archive files (JSON lines)")
    archive.add_argument("files", nargs="+", metavar="FILE", help="an archive file (<partition>.avro)")
    archive.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip the check against the .sha256 (and .json) sidecars",
    )
    return parser


def topics_of(args: argparse.Namespace) -> list[str]:
    """The topics named with --topic, else every topic of the event catalog under the prefix."""
    named = [t.strip() for v in args.topic for t in v.split(",") if t.strip()]
    if named:
        return named
    if args.topic:  # only commas and spaces
        raise SystemExit("no topic given")
    return [f"{args.topic_prefix}.{suffix}" for suffix in TOPIC_SUFFIXES]


def _kafka_config(items: Sequence[str]) -> dict[str, str]:
    conf: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"--kafka-config expects KEY=VALUE, got {item!r}")
        conf[name.strip()] = value
    return conf


def security_of(args: argparse.Namespace) -> KafkaSecurity:
    """The Kafka security the command line (or the environment) asks for."""
    return KafkaSecurity(
        ssl=args.ssl,
        ca_file=args.ssl_ca,
        cert_file=args.ssl_cert,
        key_file=args.ssl_key,
        sasl_mechanism=args.sasl_mechanism,
        sasl_username=args.sasl_username,
        sasl_password_file=args.sasl_password_file,
    )


def _make_consumer(args: argparse.Namespace) -> EventConsumer:
    if not args.brokers:
        raise SystemExit("no brokers: pass --brokers or set KAFKA_BROKERS")
    registry = SchemaRegistry.from_directory(args.schemas)
    group = args.group or f"millstream-client-{uuid.uuid4().hex[:12]}"
    return EventConsumer(
        args.brokers,
        group,
        topics_of(args),
        registry,
        from_timestamp=args.from_ts,
        from_beginning=args.from_beginning,
        on_decode_error="yield",
        commit=args.group is not None,
        security=security_of(args),
        config=_kafka_config(args.kafka_config),
    )


def _events(consumer: EventConsumer, args: argparse.Namespace) -> Iterable[ConsumedEvent]:
    """Events and decode failures; --max counts decoded events only."""
    decoded = 0
    for ce in consumer.poll_events(timeout=args.idle_timeout, join_timeout=args.join_timeout):
        yield ce
        if ce.event is not None:
            decoded += 1
            if args.max is not None and decoded >= args.max:
                return


def _not_joined(consumer: EventConsumer, args: argparse.Namespace) -> int:
    """Exit status: 0, or 1 (with a message) if the consumer never got an assignment."""
    if consumer.joined:
        return 0
    cause = consumer.last_error or "brokers unreachable, or the consumer group could not be joined"
    print(
        f"millstream_client: error: no partition assignment from {args.brokers} within "
        f"{args.join_timeout:g}s ({cause})",
        file=sys.stderr,
    )
    return 1


def cmd_tail(args: argparse.Namespace) -> int:
    consumer = _make_consumer(args)
    try:
        for ce in _events(consumer, args):
            if ce.event is None:
                print(dumps(error_entry(ce)), file=sys.stderr, flush=True)
                continue
            print(dumps(event_line(ce)), flush=True)
        status = _not_joined(consumer, args)
    finally:
        consumer.close()
    return status


def cmd_count(args: argparse.Namespace) -> int:
    consumer = _make_consumer(args)
    try:
        summary = summarize(_events(consumer, args))
        status = _not_joined(consumer, args)
    finally:
        consumer.close()
    print(dumps(summary.to_json(details=args.details)), flush=True)
    return status


def cmd_schemas(args: argparse.Namespace) -> int:
    registry = SchemaRegistry.from_directory(args.schemas)
    for name in registry.names():
        for schema in registry.versions(name):
            print(
                dumps(
                    {
                        "name": schema.name,
                        "version": schema.version,
                        "current": schema.current,
                        "fingerprint": schema.fingerprint_hex,
                        "header": (b"\xc3\x01" + schema.fingerprint_bytes).hex(),
                        "path": str(schema.path) if schema.path else None,
                    }
                )
            )
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    for path in args.files:
        for logged in read_archive(path, verify=args.verify):
            print(dumps(archive_line(logged)))
    sys.stdout.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # librdkafka repeats connection errors many times a second; the consumer reports
        # each distinct error once through the millstream_client.consumer logger instead.
        logging.getLogger("millstream_client.librdkafka").setLevel(logging.CRITICAL)
    handlers = {"tail": cmd_tail, "count": cmd_count, "schemas": cmd_schemas, "archive": cmd_archive}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `tail | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except (KafkaException, FileNotFoundError, KafkaSecurityError, ValueError) as exc:
        print(f"millstream_client: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
