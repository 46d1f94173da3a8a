"""Archive files of millstream's event log.

Before retention drops a partition of the PostgreSQL event log, the service writes its
events to ``<ARCHIVE_DIR>/<partition>.avro``: an Avro object container file (codec
``deflate``) whose records are ``millstream.archive.LoggedEvent``::

    position        long                       event_log.position
    txId            string                     the committing transaction (xid8), decimal
    recordedAt      long, timestamp-millis     when the row was committed
    idempotencyKey  ["null", "string"]         the key of the input it came from
    event           union of every event schema (the .avsc files, as written)

The header metadata names the partition (``millstream.partition``) and its range in epoch
ms (``millstream.range_from``, absent for no lower bound; ``millstream.range_to``,
exclusive). Beside it, ``<file>.sha256`` (``sha256sum`` format, so ``sha256sum -c`` checks
it) and ``<file>.json`` (the summary: event count, positions, size). An archive is complete
once its ``.sha256`` exists: the service writes it last.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator

import fastavro

CHECKSUM_SUFFIX = ".sha256"
SUMMARY_SUFFIX = ".json"
ARCHIVE_SUFFIX = ".avro"
_CHECKSUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)\n?$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveSummary:
    """One complete archive, from its sidecars. Ranges and times are epoch ms."""

    path: Path
    partition: str
    range_from: int | None
    range_to: int
    events: int
    bytes: int
    sha256: str
    first_position: int | None
    last_position: int | None


def read_archive(path: str | os.PathLike[str], verify: bool = True) -> Iterator[dict[str, Any]]:
    """Yield the events of one archive file, in file (= log position) order.

    Each item is a dict: ``position`` (int), ``tx_id`` (str, decimal), ``recorded_at``
    (timezone-aware UTC ``datetime``, from ``timestamp-millis``), ``idempotency_key``
    (str or None) and ``event``: the event record as a dict with its Avro field names
    (``type`` says which event; logical types converted by fastavro as in
    :mod:`millstream_client.codec`: timestamps ``datetime``, ``eventId`` ``uuid.UUID``;
    a DeadLetter's ``payload`` is ``bytes``).

    With ``verify`` (the default) the file's SHA-256 is checked against ``<file>.sha256``
    before anything is yielded, and the event count against ``<file>.json`` (when there)
    after the last; a missing or mismatching sidecar raises ``ValueError`` naming the
    file. As a generator, it raises on the first ``next()``, not when called.
    """
    file = Path(path)
    with open(file, "rb") as fo:
        if verify:
            _check_checksum(file, fo)
            fo.seek(0)
        count = 0
        try:
            for record in fastavro.reader(fo):
                count += 1
                yield {
                    "position": record["position"],
                    "tx_id": record["txId"],
                    "recorded_at": record["recordedAt"],
                    "idempotency_key": record["idempotencyKey"],
                    "event": record["event"],
                }
        except (ValueError, EOFError, KeyError, TypeError) as exc:
            raise ValueError(f"{file}: not a millstream archive: {type(exc).__name__}: {exc}") from exc
    if verify and _summary_of(file).exists():
        expected = _read_summary(file).events
        if expected != count:
            raise ValueError(f"{file}: holds {count} events, {_summary_of(file).name} says {expected}")


def list_archives(directory: str | os.PathLike[str]) -> list[ArchiveSummary]:
    """Every complete archive (``.sha256`` present) in ``directory``, oldest range first.

    Reads the sidecars only; :func:`read_archive` checks the data. A folder that does not
    exist has none. Raises ``ValueError`` naming the file when a summary is unreadable.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return []
    summaries = [
        _read_summary(entry)
        for entry in sorted(folder.iterdir())
        if entry.name.endswith(ARCHIVE_SUFFIX)
        and not entry.name.startswith(".")
        and _checksum_of(entry).exists()
    ]
    return sorted(
        summaries,
        key=lambda s: (s.range_from is not None, s.range_from or 0, s.range_to, s.partition),
    )


def _checksum_of(file: Path) -> Path:
    return file.with_name(file.name + CHECKSUM_SUFFIX)


def _summary_of(file: Path) -> Path:
    return file.with_name(file.name + SUMMARY_SUFFIX)


def _check_checksum(file: Path, fo: IO[bytes]) -> None:
    sidecar = _checksum_of(file)
    try:
        line = sidecar.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{file}: no checksum sidecar {sidecar.name}: the archive is not complete") from None
    match = _CHECKSUM_LINE.match(line)
    if match is None or match.group(2) != file.name:
        raise ValueError(f"{sidecar}: expected '<sha256>  {file.name}'")
    digest = hashlib.sha256()
    for chunk in iter(lambda: fo.read(_CHUNK), b""):
        digest.update(chunk)
    if digest.hexdigest() != match.group(1):
        raise ValueError(
            f"{file}: sha256 is {digest.hexdigest()}, {sidecar.name} says {match.group(1)}: "
            "the file is damaged or not the one archived"
        )


def _read_summary(file: Path) -> ArchiveSummary:
    sidecar = _summary_of(file)
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        return ArchiveSummary(
            path=file,
            partition=str(data["partition"]),
            range_from=None if data["rangeFrom"] is None else int(data["rangeFrom"]),
            range_to=int(data["rangeTo"]),
            events=int(data["events"]),
            bytes=int(data["bytes"]),
            sha256=str(data["sha256"]),
            first_position=None if data["firstPosition"] is None else int(data["firstPosition"]),
            last_position=None if data["lastPosition"] is None else int(data["lastPosition"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{sidecar}: not an archive summary: {type(exc).__name__}: {exc}") from exc
