"""CRC-64-AVRO (the Avro specification's "Rabin" fingerprint), in plain Python.

This is an independent implementation written from the algorithm in the Avro
specification ("Schema Fingerprints"). The package computes fingerprints with
fastavro; this module exists so tests can cross-check fastavro, and so the
byte order is spelled out in one place:

* :func:`crc64_avro` returns the fingerprint as an unsigned 64-bit integer, the
  value the Avro test data and the Java implementation print (as a signed long).
* In the single-object encoding the 8 fingerprint bytes are that integer
  **little-endian**: see :func:`fingerprint_bytes`.
"""

from __future__ import annotations

EMPTY = 0xC15D213AA4D7A795
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _make_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp & _MASK64)
    return tuple(table)


_TABLE = _make_table()


def crc64_avro(data: bytes | str) -> int:
    """CRC-64-AVRO of ``data`` (a str is encoded as UTF-8) as an unsigned int."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def fingerprint_bytes(fingerprint: int) -> bytes:
    """The 8 bytes that follow ``C3 01`` in a single-object encoded message."""
    return fingerprint.to_bytes(8, "little", signed=False)


def fingerprint_from_bytes(data: bytes) -> int:
    """Inverse of :func:`fingerprint_bytes`."""
    if len(data) != 8:
        raise ValueError(f"a CRC-64-AVRO fingerprint is 8 bytes, got {len(data)}")
    return int.from_bytes(data, "little", signed=False)


def to_signed(fingerprint: int) -> int:
    """The value as a Java ``long`` (how the Avro test data prints it)."""
    return fingerprint - (1 << 64) if fingerprint >= (1 << 63) else fingerprint


def to_unsigned(value: int) -> int:
    """Inverse of :func:`to_signed`."""
    return value & _MASK64
