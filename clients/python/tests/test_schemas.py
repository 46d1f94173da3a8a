from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from millstream_client import SchemaRegistry, default_schema_dir
from millstream_client.schemas import SCHEMAS_ENV, SchemaLoadError

from conftest import repo_schema_dir


def test_loads_repo_schemas(registry) -> None:
    assert "millstream.events.PartProduced" in registry.names()
    schema = registry.latest("PartProduced")
    assert schema.name == "millstream.events.PartProduced"
    assert schema.short_name == "PartProduced"
    assert schema.current and schema.version is None
    assert registry.get(schema.fingerprint) is schema
    assert registry.get(schema.fingerprint_bytes) is schema
    # logicalType and doc are not part of the canonical form
    assert "logicalType" not in schema.canonical_form
    assert schema.canonical_form.startswith('{"name":"millstream.events.PartProduced","type":"record"')


def test_every_repo_schema_is_a_named_millstream_event(registry) -> None:
    for schema in registry:
        assert schema.name.startswith("millstream.events."), schema.name
        field_names = [f["name"] for f in schema.raw["fields"]]
        for required in ("eventId", "type", "key", "sequence", "occurredAt", "recordedAt"):
            assert required in field_names, f"{schema.name} lacks {required}"


def _with_extra_field(raw: dict, name: str) -> dict:
    raw = json.loads(json.dumps(raw))
    raw["fields"].append({"name": name, "type": ["null", "string"], "default": None})
    return raw


def test_history_versions_are_loaded(tmp_path: Path) -> None:
    src = repo_schema_dir() / "PartProduced.avsc"
    current = json.loads(src.read_text())
    v1 = json.loads(src.read_text())
    v1["fields"] = [f for f in v1["fields"] if f["name"] != "messageId"]
    (tmp_path / "PartProduced.avsc").write_text(json.dumps(_with_extra_field(current, "shift")))
    hist = tmp_path / "history" / "PartProduced"
    hist.mkdir(parents=True)
    (hist / "v1.avsc").write_text(json.dumps(v1))
    (hist / "v2.avsc").write_text(json.dumps(current))

    reg = SchemaRegistry.from_directory(tmp_path)
    versions = reg.versions("PartProduced")
    assert [(s.version, s.current) for s in versions] == [(1, False), (2, False), (None, True)]
    assert len({s.fingerprint for s in versions}) == 3
    assert reg.latest("PartProduced").current
    assert "shift" in reg.latest("PartProduced").canonical_form
    for s in versions:
        assert reg.get(s.fingerprint) is s


def test_identical_history_file_prefers_current(tmp_path: Path) -> None:
    src = repo_schema_dir() / "PartProduced.avsc"
    shutil.copy(src, tmp_path / "PartProduced.avsc")
    hist = tmp_path / "history" / "PartProduced"
    hist.mkdir(parents=True)
    shutil.copy(src, hist / "v1.avsc")
    reg = SchemaRegistry.from_directory(tmp_path)
    assert len(reg) == 1
    only = next(iter(reg))
    assert only.current


def test_only_history_latest_is_highest_version(tmp_path: Path) -> None:
    src = json.loads((repo_schema_dir() / "PartProduced.avsc").read_text())
    hist = tmp_path / "history" / "PartProduced"
    hist.mkdir(parents=True)
    (hist / "v2.avsc").write_text(json.dumps(_with_extra_field(src, "x")))
    (hist / "v10.avsc").write_text(json.dumps(_with_extra_field(src, "y")))
    reg = SchemaRegistry.from_directory(tmp_path)
    assert reg.latest("millstream.events.PartProduced").version == 10


def test_bad_schema_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "Broken.avsc").write_text('{"type":"record","name":"Broken","fields":[{"name":"a","type":"nope"}]}')
    with pytest.raises(SchemaLoadError, match="Broken.avsc"):
        SchemaRegistry.from_directory(tmp_path)
    (tmp_path / "Broken.avsc").write_text("{not json")
    with pytest.raises(SchemaLoadError, match="Broken.avsc"):
        SchemaRegistry.from_directory(tmp_path)


def test_two_current_versions_of_one_name_is_an_error(tmp_path: Path) -> None:
    src = json.loads((repo_schema_dir() / "PartProduced.avsc").read_text())
    (tmp_path / "A.avsc").write_text(json.dumps(src))
    (tmp_path / "B.avsc").write_text(json.dumps(_with_extra_field(src, "z")))
    with pytest.raises(SchemaLoadError, match="two current schemas"):
        SchemaRegistry.from_directory(tmp_path)


def test_empty_or_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SchemaLoadError):
        SchemaRegistry.from_directory(tmp_path)
    with pytest.raises(FileNotFoundError):
        SchemaRegistry.from_directory(tmp_path / "missing")


def test_default_dir_env_and_walk_up(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SCHEMAS_ENV, raising=False)
    assert default_schema_dir().resolve() == repo_schema_dir().resolve()
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path))
    assert default_schema_dir() == tmp_path
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match=SCHEMAS_ENV):
        default_schema_dir()


def test_unknown_name(registry) -> None:
    with pytest.raises(KeyError, match="NoSuchEvent"):
        registry.latest("NoSuchEvent")
