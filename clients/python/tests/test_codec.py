from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from millstream_client import (
    BodyDecodeError,
    DecodeError,
    EncodeError,
    NotSingleObjectError,
    UnknownSchemaError,
    decode,
    encode,
    fingerprint_of,
)
from millstream_client.crc64 import crc64_avro

from conftest import part_produced


def test_round_trip_part_produced(registry) -> None:
    record = part_produced("m-7", 42)
    value = encode("PartProduced", record, registry)
    schema = registry.latest("PartProduced")

    # header: C3 01 + fingerprint little-endian, computed independently
    assert value[:2] == b"\xc3\x01"
    assert value[2:10] == crc64_avro(schema.canonical_form).to_bytes(8, "little")
    assert fingerprint_of(value) == schema.fingerprint

    event = decode(value, registry)
    assert event.type == "PartProduced"
    assert event.key == "m-7"
    assert event.sequence == 42
    assert event.schema_name == "millstream.events.PartProduced"
    assert event.fingerprint == schema.fingerprint
    fields = event.fields
    assert fields["occurredAt"] == datetime(2023, 12, 10, 0, 0, 0, 123000, tzinfo=timezone.utc)
    assert str(fields["eventId"]) == record["eventId"]
    assert event.event_id == record["eventId"]
    assert fields["machineId"] == "m-7"
    assert fields["partId"] == 4 and fields["order"] == 5
    assert fields["damaged"] is False
    assert fields["var1"] == 1.5 and fields["var2"] == "a" and fields["var3"] is None


def test_full_name_epoch_ms_and_defaults(registry) -> None:
    record = part_produced("m-1", 1, occurredAt=1702166400000, recordedAt=1702166400500)
    for optional in ("var1", "var2", "var3", "var4", "messageId"):
        del record[optional]  # all have defaults
    event = decode(encode("millstream.events.PartProduced", record, registry), registry)
    assert event.fields["occurredAt"] == datetime(2023, 12, 10, tzinfo=timezone.utc)
    assert event.fields["messageId"] is None


def test_uses_default_registry(registry) -> None:
    value = encode("PartProduced", part_produced())
    assert decode(value).type == "PartProduced"


def test_body_is_plain_avro_binary(registry) -> None:
    """The body after the header is exactly what fastavro's schemaless_writer produces."""
    import io

    import fastavro

    record = part_produced("m-2", 3, eventId=str(uuid.UUID(int=1)))
    value = encode("PartProduced", record, registry)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, registry.latest("PartProduced").parsed, record)
    assert value[10:] == out.getvalue()


def test_bad_magic(registry) -> None:
    value = encode("PartProduced", part_produced(), registry)
    with pytest.raises(NotSingleObjectError, match="C3 01"):
        decode(b"\x00\x01" + value[2:], registry)
    with pytest.raises(NotSingleObjectError, match="shorter than"):
        decode(b"\xc3\x01\x00", registry)
    with pytest.raises(NotSingleObjectError):
        decode(b"", registry)
    with pytest.raises(NotSingleObjectError):
        decode(b'{"json": true}', registry)
    # all are DecodeError / ValueError
    with pytest.raises(DecodeError):
        decode(b"xx", registry)
    with pytest.raises(ValueError):
        decode(b"xx", registry)


def test_unknown_fingerprint(registry) -> None:
    value = encode("PartProduced", part_produced(), registry)
    unknown = (0x0123456789ABCDEF).to_bytes(8, "little")
    with pytest.raises(UnknownSchemaError, match="0123456789abcdef") as info:
        decode(b"\xc3\x01" + unknown + value[10:], registry)
    assert info.value.fingerprint == 0x0123456789ABCDEF
    # big-endian fingerprint bytes (the classic mistake) are not found either
    be = registry.latest("PartProduced").fingerprint.to_bytes(8, "big")
    with pytest.raises(UnknownSchemaError):
        decode(b"\xc3\x01" + be + value[10:], registry)


def test_truncated_and_trailing_body(registry) -> None:
    value = encode("PartProduced", part_produced(), registry)
    with pytest.raises(BodyDecodeError):
        decode(value[:-3], registry)
    with pytest.raises(BodyDecodeError, match="trailing"):
        decode(value + b"\x00", registry)


def test_encode_errors(registry) -> None:
    with pytest.raises(UnknownSchemaError):
        encode("NoSuchEvent", {}, registry)
    with pytest.raises(EncodeError):
        encode("PartProduced", part_produced(partId="not a number"), registry)
    with pytest.raises(EncodeError):
        encode("PartProduced", part_produced(extraField=1), registry)
    bad = part_produced()
    del bad["machineId"]  # required, no default
    with pytest.raises(EncodeError):
        encode("PartProduced", bad, registry)
