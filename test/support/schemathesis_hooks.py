"""Schemathesis hooks for the contract test: rules the OpenAPI document can state only in prose.

OpenAPI cannot relate two parameters, so `from` not after `to` (GET /events, /production,
/machines/{machineId}/production) is in the parameters' descriptions; a client that means a
range sends them in order, and so do these test cases. GET /stream is asked to end at once
(`closeAfterMs`), as the fuzzer reads every response to its end.
"""

import re

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
    return case
