"""millstream_client: consume and decode millstream's Avro events from Kafka.

>>> from millstream_client import SchemaRegistry, EventConsumer, decode
>>> registry = SchemaRegistry.from_directory()          # repo's schemas/avro
>>> with EventConsumer("localhost:9092", "my-group", "millstream.production",
...                    registry, from_beginning=True) as consumer:
...     for ce in consumer.poll_events(timeout=10):
...         print(ce.key, ce.event.type, ce.event.fields["sequence"])
"""

from .catalog import EVENT_CATALOG, TOPIC_SUFFIXES, EventFacts, facts_of
from .codec import (
    HEADER_SIZE,
    MAGIC,
    BodyDecodeError,
    DecodedEvent,
    DecodeError,
    EncodeError,
    NotSingleObjectError,
    UnknownSchemaError,
    decode,
    encode,
    encode_with,
    fingerprint_of,
)
from .consumer import (
    DEFAULT_TOPIC_PREFIX,
    ConsumedEvent,
    EventConsumer,
    EventDecodeFailure,
    all_topics,
    topic_name,
)
from .plant import (
    DowntimeRecord,
    KpiRow,
    PandasMissingError,
    ParetoRow,
    PlantApiError,
    PlantClient,
    ShiftRow,
)
from .security import KafkaSecurity, KafkaSecurityError
from .schemas import (
    AvroSchema,
    SchemaLoadError,
    SchemaRegistry,
    compute_fingerprint,
    default_registry,
    default_schema_dir,
)

__version__ = "0.1.0"

__all__ = [
    "DowntimeRecord",
    "KpiRow",
    "PandasMissingError",
    "ParetoRow",
    "PlantApiError",
    "PlantClient",
    "ShiftRow",
    "AvroSchema",
    "BodyDecodeError",
    "ConsumedEvent",
    "DEFAULT_TOPIC_PREFIX",
    "DecodeError",
    "DecodedEvent",
    "EncodeError",
    "EventConsumer",
    "EVENT_CATALOG",
    "EventDecodeFailure",
    "EventFacts",
    "HEADER_SIZE",
    "KafkaSecurity",
    "KafkaSecurityError",
    "MAGIC",
    "NotSingleObjectError",
    "TOPIC_SUFFIXES",
    "SchemaLoadError",
    "SchemaRegistry",
    "UnknownSchemaError",
    "all_topics",
    "compute_fingerprint",
    "decode",
    "default_registry",
    "default_schema_dir",
    "encode",
    "encode_with",
    "facts_of",
    "fingerprint_of",
    "topic_name",
]
