"""Schemathesis hooks for the contract test: rules the OpenAPI document can state only in prose.

OpenAPI cannot relate two parameters, so `from` not after `to` (GET /events, /production,
/machines/{machineId}/production) is in the parameters' descriptions; a client that means a
range sends them in order, and so do these test cases. GET /stream is asked to end at once
(`closeAfterMs`), as the fuzzer reads every response to its end. A chart (the series routes)
asks for a range that is not empty, in at most 20,000 buckets, and OEE in whole minutes.
"""

import re
import time

import schemathesis

_ISO = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]+))?)?(?:Z|([+-])([0-9]{2}):?([0-9]{2}))$"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date; a day past the month's end rolls on."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy + day - 1 - 719468


def _epoch_ms(text: object) -> int | None:
    """The instant the service reads from a timestamp parameter, or None if it reads none."""
    if not isinstance(text, str):
        return None
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    m = _ISO.match(text)
    if not m:
        return None
    year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
    second = int(m.group(6) or 0)
    millis = int((m.group(7) or "0")[:3].ljust(3, "0"))
    offset = 0
    if m.group(8):
        offset = (int(m.group(9)) * 60 + int(m.group(10))) * (1 if m.group(8) == "+" else -1)
    minutes = _days_from_civil(year, month, day) * 1440 + hour * 60 + minute - offset
    return (minutes * 60 + second) * 1000 + millis


_CHARTS = ("/telemetry", "/oee/series", "/plant/series")
_LAST_MS = 253402300799999  # 9999-12-31T23:59:59.999Z
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def _chart_range(query: dict, whole_minutes: bool) -> None:
    """A range a chart asks for: from before to, at most 20,000 buckets, OEE in whole minutes."""
    end = _epoch_ms(query.get("to")) if "to" in query else int(time.time() * 1000)
    start = _epoch_ms(query.get("from")) if "from" in query else None
    if end is None or (start is None and "from" in query):
        return
    start = end - 3_600_000 if start is None else start
    if start >= end:
        start, end = end, start
        if start == end:
            # One millisecond more, within the last instant a timestamp may name.
            start, end = (start, end + 1) if end < _LAST_MS else (start - 1, end)
        # Written back as epoch ms, which cannot be negative: a range before 1970 starts at 0.
        start, end = max(start, 0), max(end, 1)
        query["from"], query["to"] = str(start), str(end)
    bucket = query.get("bucket")
    m = re.fullmatch(r"([1-9][0-9]{0,5})([smhd])", bucket) if isinstance(bucket, str) else None
    if m:
        ms = int(m.group(1)) * _UNIT_MS[m.group(2)]
        buckets = (end - 1) // ms - start // ms + 1
        if buckets > 20_000 or (whole_minutes and ms % 60_000 != 0):
            del query["bucket"]


@schemathesis.hook
def map_case(ctx, case):
    """`from` and `to` in order, as a client that means a range sends them."""
    query = case.query
    if case.path.endswith("/stream"):
        # A live stream stays open until asked to end; every other parameter is still fuzzed.
        case.query = query = {**(query if isinstance(query, dict) else {}), "closeAfterMs": 1}
    if isinstance(query, dict) and "from" in query and "to" in query:
        start, end = _epoch_ms(query["from"]), _epoch_ms(query["to"])
        if start is not None and end is not None and start > end:
            query["from"], query["to"] = query["to"], query["from"]
    if isinstance(query, dict) and case.path.endswith(_CHARTS):
        _chart_range(query, whole_minutes=not case.path.endswith("/telemetry"))
    return case
