"""Avro single-object encoding of millstream events.

Wire format of a Kafka message value::

    C3 01 | 8-byte CRC-64-AVRO fingerprint of the writer schema (little-endian) | Avro binary body

The fingerprint is looked up in a :class:`~millstream_client.schemas.SchemaRegistry`
to find the writer schema; the body is decoded with it (fastavro). Logical
types are converted by fastavro: ``timestamp-millis`` -> timezone-aware
``datetime`` (UTC), ``uuid`` -> ``uuid.UUID``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping

import fastavro

from .schemas import AvroSchema, SchemaRegistry, default_registry

MAGIC = b"\xc3\x01"
HEADER_SIZE = len(MAGIC) + 8


class DecodeError(ValueError):
    """A message value could not be decoded."""


class NotSingleObjectError(DecodeError):
    """The value does not start with the single-object marker ``C3 01`` (or is too short)."""


class UnknownSchemaError(DecodeError):
    """No loaded schema has the value's fingerprint (or no schema has the given name)."""

    def __init__(self, message: str, fingerprint: int | None = None) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


class BodyDecodeError(DecodeError):
    """The Avro body does not match the writer schema named by the fingerprint."""


class EncodeError(ValueError):
    """A record does not match the schema it is encoded with."""


@dataclass(frozen=True)
class DecodedEvent:
    """One decoded event.

    ``type`` is the event's ``type`` field (falls back to the schema's short
    name); ``key`` is its ``key`` field (the entity id); ``fields`` holds every
    field of the record (logical types converted, see module doc).
    """

    type: str
    key: str | None
    fields: dict[str, Any]
    fingerprint: int
    schema_name: str

    @property
    def sequence(self) -> int | None:
        value = self.fields.get("sequence")
        return value if isinstance(value, int) else None

    @property
    def event_id(self) -> str | None:
        value = self.fields.get("eventId")
        return None if value is None else str(value)


def _hex(data: bytes) -> str:
    return data.hex(" ")


def split_header(value: bytes) -> tuple[int, memoryview]:
    """``(fingerprint, body)`` of a single-object encoded value; checks the marker."""
    if value is None:
        raise NotSingleObjectError("value is empty (null): not Avro single-object encoding")
    data = bytes(value) if not isinstance(value, bytes) else value
    if len(data) < HEADER_SIZE:
        raise NotSingleObjectError(
            f"value is {len(data)} bytes, shorter than the 10-byte single-object header "
            f"(C3 01 + 8-byte fingerprint); starts with {_hex(data[:10]) or '<nothing>'}"
        )
    if data[:2] != MAGIC:
        raise NotSingleObjectError(
            f"value does not start with the Avro single-object marker C3 01 "
            f"(starts with {_hex(data[:2])}); not a millstream Avro event"
        )
    fingerprint = int.from_bytes(data[2:HEADER_SIZE], "little", signed=False)
    return fingerprint, memoryview(data)[HEADER_SIZE:]


def fingerprint_of(value: bytes) -> int:
    """The writer schema fingerprint (unsigned int) of a single-object encoded value."""
    return split_header(value)[0]


def decode(value: bytes, registry: SchemaRegistry | None = None) -> DecodedEvent:
    """Decode one Kafka message value.

    Raises :class:`NotSingleObjectError`, :class:`UnknownSchemaError` or
    :class:`BodyDecodeError` (all :class:`DecodeError`).
    """
    registry = registry if registry is not None else default_registry()
    fingerprint, body = split_header(value)
    schema = registry.get(fingerprint)
    if schema is None:
        raise UnknownSchemaError(
            f"unknown writer schema fingerprint {fingerprint:016x} "
            f"(wire bytes {_hex(bytes(value[2:HEADER_SIZE]))}); "
            f"{len(registry)} schemas loaded: {', '.join(registry.names()) or 'none'}. "
            "Is schemas/avro (with history/) up to date?",
            fingerprint=fingerprint,
        )
    fields = _read_body(schema, body)
    event_type = fields.get("type")
    if not isinstance(event_type, str) or not event_type:
        event_type = schema.short_name
    key = fields.get("key")
    return DecodedEvent(
        type=event_type,
        key=None if key is None else str(key),
        fields=fields,
        fingerprint=fingerprint,
        schema_name=schema.name,
    )


def _read_body(schema: AvroSchema, body: memoryview) -> dict[str, Any]:
    stream = io.BytesIO(body)
    try:
        record = fastavro.schemaless_reader(stream, schema.parsed, None)
    except Exception as exc:  # EOFError, UnicodeDecodeError, IndexError, ...
        raise BodyDecodeError(
            f"Avro body ({len(body)} bytes) does not decode with {schema.name} "
            f"(fingerprint {schema.fingerprint:016x}): {type(exc).__name__}: {exc}"
        ) from exc
    leftover = len(body) - stream.tell()
    if leftover:
        raise BodyDecodeError(
            f"{leftover} trailing bytes after the {schema.name} body "
            f"(fingerprint {schema.fingerprint:016x})"
        )
    if not isinstance(record, dict):
        return {"value": record}
    return record


def encode(
    schema_name: str,
    record: Mapping[str, Any],
    registry: SchemaRegistry | None = None,
) -> bytes:
    """Encode ``record`` with the current version of ``schema_name`` (short or full name).

    Fields with a default may be left out; unknown fields are an error.
    Timestamps may be given as ``datetime`` or epoch milliseconds.
    """
    registry = registry if registry is not None else default_registry()
    try:
        schema = registry.latest(schema_name)
    except KeyError as exc:
        raise UnknownSchemaError(str(exc.args[0] if exc.args else exc)) from exc
    return encode_with(schema, record)


def encode_with(schema: AvroSchema, record: Mapping[str, Any]) -> bytes:
    """Encode ``record`` with a given schema version."""
    out = io.BytesIO()
    out.write(MAGIC)
    out.write(schema.fingerprint_bytes)
    try:
        fastavro.schemaless_writer(out, schema.parsed, dict(record), strict_allow_default=True)
    except Exception as exc:
        raise EncodeError(f"record does not match {schema.name}: {exc}") from exc
    return out.getvalue()
