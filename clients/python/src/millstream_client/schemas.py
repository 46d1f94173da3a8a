"""Avro schema registry built from the repository's ``schemas/avro`` folder.

Every ``*.avsc`` file below the folder (recursively) holds one named schema
(a record in namespace ``millstream.events``). Files directly in the folder are
the *current* versions; older versions live in ``history/<Name>/v<N>.avsc`` and
are loaded too, so events written with an older schema still decode.

Fingerprints are CRC-64-AVRO of the schema's Parsing Canonical Form, computed
with fastavro. They are kept as **unsigned integers** (the number the Avro
spec's test data prints, as a signed long); on the wire, in the single-object
encoding, the 8 bytes are that integer little-endian.

Note on fastavro: ``fastavro.schema.fingerprint(pcf, "CRC-64-AVRO")`` returns
the hex of the *little-endian* bytes (e.g. ``"int"`` -> ``8f5c393f1ad57572``,
while the spec value is ``0x7275d51a3f395c8f``), i.e. exactly the bytes that go
on the wire. :func:`compute_fingerprint` converts it to the integer.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import fastavro
import fastavro.schema

from .crc64 import fingerprint_bytes

SCHEMAS_ENV = "MILLSTREAM_SCHEMAS"
DEFAULT_NAMESPACE = "millstream.events"
_VERSION_RE = re.compile(r"^v(\d+)$")


class SchemaLoadError(ValueError):
    """An .avsc file could not be read, parsed or registered."""


def compute_fingerprint(schema: Any) -> tuple[str, int]:
    """Parsing Canonical Form and CRC-64-AVRO fingerprint (unsigned int) of a schema.

    ``schema`` may be a raw (JSON-decoded) or fastavro-parsed schema.
    """
    pcf = fastavro.schema.to_parsing_canonical_form(schema)
    hex_le = fastavro.schema.fingerprint(pcf, "CRC-64-AVRO")
    return pcf, int.from_bytes(bytes.fromhex(hex_le), "little", signed=False)


@dataclass(frozen=True)
class AvroSchema:
    """One loaded schema version."""

    name: str
    """Full name, e.g. ``millstream.events.PartProduced``."""
    raw: Mapping[str, Any] = field(repr=False)
    parsed: Any = field(repr=False)
    canonical_form: str = field(repr=False)
    fingerprint: int
    """CRC-64-AVRO, unsigned 64-bit integer."""
    path: Path | None = None
    version: int | None = None
    """``N`` for ``history/<Name>/vN.avsc``; ``None`` for a current file."""
    current: bool = True
    """True for a file directly under the schema folder (not in ``history/``)."""

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def fingerprint_bytes(self) -> bytes:
        """The 8 bytes written after ``C3 01`` (little-endian)."""
        return fingerprint_bytes(self.fingerprint)

    @property
    def fingerprint_hex(self) -> str:
        """The fingerprint integer as 16 hex digits (big-endian, like ``0x...``)."""
        return f"{self.fingerprint:016x}"


def _full_name(raw: Mapping[str, Any]) -> str:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaLoadError("schema has no name (expected one named record per file)")
    if "." in name:
        return name
    namespace = raw.get("namespace")
    return f"{namespace}.{name}" if namespace else name


def default_schema_dir() -> Path:
    """Where the schemas are when no path is given.

    1. ``$MILLSTREAM_SCHEMAS`` if set;
    2. the first ``schemas/avro`` folder found walking up from this file
       (works for a source checkout and an editable install);
    3. the first ``schemas/avro`` folder found walking up from the current directory.
    """
    env = os.environ.get(SCHEMAS_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"{SCHEMAS_ENV}={env!r} is not a directory")
        return path
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            candidate = folder / "schemas" / "avro"
            if candidate.is_dir():
                return candidate
    raise FileNotFoundError(
        "cannot find the Avro schemas: set MILLSTREAM_SCHEMAS to the repository's "
        "schemas/avro folder (or pass a path / --schemas)"
    )


class SchemaRegistry:
    """Fingerprint -> schema, and name -> current schema."""

    def __init__(self, schemas: Iterable[AvroSchema] = ()) -> None:
        self._by_fingerprint: dict[int, AvroSchema] = {}
        self._versions: dict[str, list[AvroSchema]] = {}
        for schema in schemas:
            self._register(schema)

    # -- construction -----------------------------------------------------

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str] | None = None) -> "SchemaRegistry":
        """Load the event schemas in ``path`` (default: :func:`default_schema_dir`).

        The ``*.avsc`` files directly in ``path`` are the current versions and those under
        ``path/history/`` the released ones; other folders (such as ``ingest/``, the schema
        of the service's internal ingest topic) hold no events and are not read.
        """
        root = Path(path) if path is not None else default_schema_dir()
        if not root.is_dir():
            raise FileNotFoundError(f"schema directory not found: {root}")
        registry = cls()
        history = root / "history"
        files = sorted(
            p
            for p in [*root.glob("*.avsc"), *(history.rglob("*.avsc") if history.is_dir() else [])]
            if p.is_file()
        )
        if not files:
            raise SchemaLoadError(f"no .avsc files under {root}")
        for file in files:
            rel = file.relative_to(root)
            in_history = "history" in rel.parts[:-1]
            version = None
            match = _VERSION_RE.match(file.stem)
            if match:
                version = int(match.group(1))
            try:
                raw = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise SchemaLoadError(f"{file}: cannot read schema: {exc}") from exc
            try:
                registry.add(raw, path=file, version=version, current=not in_history)
            except SchemaLoadError as exc:
                raise SchemaLoadError(f"{file}: {exc}") from exc
            except Exception as exc:  # fastavro raises several types
                raise SchemaLoadError(f"{file}: invalid Avro schema: {exc}") from exc
        return registry

    def add(
        self,
        raw: Mapping[str, Any] | str,
        *,
        path: Path | None = None,
        version: int | None = None,
        current: bool = True,
    ) -> AvroSchema:
        """Parse and register one schema (raw JSON text or decoded JSON)."""
        if isinstance(raw, str):
            raw = json.loads(raw)
        if not isinstance(raw, Mapping):
            raise SchemaLoadError("expected a named schema (a JSON object)")
        name = _full_name(raw)
        # A fresh named_schemas per file: several versions of one record coexist.
        parsed = fastavro.parse_schema(dict(raw), named_schemas={})
        pcf, fp = compute_fingerprint(parsed)
        schema = AvroSchema(
            name=name,
            raw=raw,
            parsed=parsed,
            canonical_form=pcf,
            fingerprint=fp,
            path=path,
            version=version,
            current=current,
        )
        self._register(schema)
        return schema

    def _register(self, schema: AvroSchema) -> None:
        versions = self._versions.setdefault(schema.name, [])
        if schema.current:
            for other in versions:
                if other.current and other.fingerprint != schema.fingerprint:
                    raise SchemaLoadError(
                        f"two current schemas named {schema.name} "
                        f"({other.path} and {schema.path})"
                    )
        existing = self._by_fingerprint.get(schema.fingerprint)
        if existing is not None and existing.name != schema.name:
            raise SchemaLoadError(
                f"fingerprint {schema.fingerprint:016x} of {schema.name} collides with "
                f"{existing.name}"
            )
        # Identical schemas (same fingerprint) decode the same; prefer the current file.
        if existing is None or (schema.current and not existing.current):
            self._by_fingerprint[schema.fingerprint] = schema
        versions.append(schema)

    # -- lookups ------------------------------------------------------------

    def get(self, fingerprint: int | bytes) -> AvroSchema | None:
        """Schema for a fingerprint (unsigned int, or the 8 little-endian wire bytes)."""
        if isinstance(fingerprint, (bytes, bytearray, memoryview)):
            fingerprint = int.from_bytes(bytes(fingerprint), "little", signed=False)
        return self._by_fingerprint.get(fingerprint)

    def resolve_name(self, name: str) -> str:
        """Full name for a full or short name (``PartProduced``)."""
        if name in self._versions:
            return name
        qualified = f"{DEFAULT_NAMESPACE}.{name}"
        if qualified in self._versions:
            return qualified
        matches = [n for n in self._versions if n.rsplit(".", 1)[-1] == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise KeyError(f"ambiguous schema name {name!r}: {sorted(matches)}")
        raise KeyError(f"no schema named {name!r}; known: {sorted(self._versions)}")

    def latest(self, name: str) -> AvroSchema:
        """The current version of a schema (full or short name).

        The file directly in the folder wins; with only history files, the highest vN.
        """
        versions = self._versions[self.resolve_name(name)]
        current = [s for s in versions if s.current]
        if current:
            return current[-1]
        return max(versions, key=lambda s: s.version or 0)

    def versions(self, name: str) -> list[AvroSchema]:
        """All loaded versions of a schema, history first (by version), current last."""
        versions = self._versions[self.resolve_name(name)]
        return sorted(versions, key=lambda s: (s.current, s.version or 0))

    def names(self) -> list[str]:
        return sorted(self._versions)

    def __iter__(self) -> Iterator[AvroSchema]:
        return iter(self._by_fingerprint.values())

    def __len__(self) -> int:
        return len(self._by_fingerprint)

    def __contains__(self, fingerprint: object) -> bool:
        if isinstance(fingerprint, (int, bytes, bytearray, memoryview)):
            return self.get(fingerprint) is not None
        return False


_default_lock = threading.Lock()
_default_registry: SchemaRegistry | None = None


def default_registry() -> SchemaRegistry:
    """A process-wide registry loaded lazily from :func:`default_schema_dir`."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            _default_registry = SchemaRegistry.from_directory()
        return _default_registry
