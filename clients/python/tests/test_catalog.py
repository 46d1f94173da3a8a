"""The event catalog the service writes for the client."""

from pathlib import Path

from millstream_client import EVENT_CATALOG, TOPIC_SUFFIXES, SchemaRegistry, all_topics, facts_of

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas" / "avro"


def test_every_event_type_has_its_schema_in_the_repository() -> None:
    registry = SchemaRegistry.from_directory(SCHEMA_DIR)
    for event_type, facts in EVENT_CATALOG.items():
        assert (SCHEMA_DIR / facts.schema).is_file()
        assert registry.latest(event_type).short_name == event_type


def test_topics_are_the_catalogs_each_once_under_the_prefix() -> None:
    assert set(TOPIC_SUFFIXES) == {facts.topic for facts in EVENT_CATALOG.values()}
    assert len(TOPIC_SUFFIXES) == len(set(TOPIC_SUFFIXES))
    assert all_topics("plant") == [f"plant.{suffix}" for suffix in TOPIC_SUFFIXES]


def test_facts_of_a_type() -> None:
    assert facts_of("PartProduced").entity == "machine"
    assert facts_of("PartProduced").topic == "production"
    assert facts_of("DeadLetter").entity == "deadletter"
    assert facts_of("MaterialPriceRecorded").topic == "materials"
