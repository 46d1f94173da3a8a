"""CRC-64-AVRO fingerprints: fastavro vs. the Avro spec's test data vs. our own CRC."""

from __future__ import annotations

import json

import fastavro.schema
import pytest

from avro_spec_vectors import SPEC_VECTORS
from millstream_client.crc64 import (
    EMPTY,
    crc64_avro,
    fingerprint_bytes,
    fingerprint_from_bytes,
    to_signed,
    to_unsigned,
)
from millstream_client.schemas import compute_fingerprint


@pytest.mark.parametrize("schema_json,canonical,java_long", SPEC_VECTORS, ids=[v[1][:40] for v in SPEC_VECTORS])
def test_spec_vectors(schema_json: str, canonical: str, java_long: int) -> None:
    expected = to_unsigned(java_long)
    # our pure-Python CRC on the spec's canonical form
    assert crc64_avro(canonical) == expected
    # fastavro's canonical form and fingerprint, through compute_fingerprint
    pcf, fp = compute_fingerprint(json.loads(schema_json))
    assert pcf == canonical
    assert fp == expected
    assert to_signed(fp) == java_long


def test_fastavro_hex_is_little_endian_wire_bytes() -> None:
    """fastavro returns the hex of the *little-endian* bytes, not of the integer.

    Spec: fingerprint("int") = 8247732601305521295 = 0x7275d51a3f395c8f; the
    single-object header for "int" is C3 01 8F 5C 39 3F 1A D5 75 72 (this header is
    the Avro Ruby implementation's test vector).
    """
    hex_from_fastavro = fastavro.schema.fingerprint('"int"', "CRC-64-AVRO")
    assert hex_from_fastavro == "8f5c393f1ad57572"
    _, fp = compute_fingerprint("int")
    assert fp == 0x7275D51A3F395C8F == 8247732601305521295
    assert b"\xc3\x01" + fingerprint_bytes(fp) == bytes.fromhex("c3018f5c393f1ad57572")
    assert fingerprint_bytes(fp) == bytes.fromhex(hex_from_fastavro)
    assert fingerprint_from_bytes(fingerprint_bytes(fp)) == fp


def test_empty_input_is_the_seed() -> None:
    assert crc64_avro(b"") == EMPTY


def test_signed_conversion_round_trip() -> None:
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        assert to_unsigned(to_signed(value)) == value
    assert to_signed((1 << 64) - 1) == -1


def test_repo_schemas_fingerprints_agree_with_own_crc(registry) -> None:
    assert len(registry) >= 1
    for schema in registry:
        assert schema.fingerprint == crc64_avro(schema.canonical_form)
        assert schema.fingerprint_bytes == schema.fingerprint.to_bytes(8, "little")
        assert schema.fingerprint_hex == f"{schema.fingerprint:016x}"
