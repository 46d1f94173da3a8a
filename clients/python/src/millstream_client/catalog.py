"""The event catalog: each event type's entity kind, Kafka topic and schema file.

The service writes ``event_catalog.json`` beside this module from its own table
(``npm run catalog``), and a service test checks the two agree, so the client
never keeps a copy of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Mapping


@dataclass(frozen=True)
class EventFacts:
    """What the service says about one event type."""

    entity: str
    """The kind of entity whose stream the event belongs to (machine, part, ...)."""
    topic: str
    """Kafka topic suffix, under the topic prefix (``millstream.production``)."""
    schema: str
    """Avro schema file in the repository's ``schemas/avro`` folder."""


def _load() -> tuple[Mapping[str, EventFacts], tuple[str, ...]]:
    document = json.loads(files(__package__).joinpath("event_catalog.json").read_text("utf-8"))
    events = {name: EventFacts(**facts) for name, facts in document["events"].items()}
    return events, tuple(document["topics"])


EVENT_CATALOG, TOPIC_SUFFIXES = _load()
"""Event type -> facts, and every topic suffix once, in the service's order."""


def facts_of(event_type: str) -> EventFacts:
    """The facts of one event type; ``KeyError`` for a type the service does not emit."""
    return EVENT_CATALOG[event_type]
