"""The plant's KPIs, downtime records and shifts from millstream's HTTP API, as rows.

>>> client = PlantClient("http://localhost:3000", api_key="...")
>>> row = client.kpis("line", "turning", since, until)      # a KpiRow
>>> client.downtime(line="turning", since=since, until=until, status="unqualified")
>>> client.downtime_frame(line="turning")                   # a pandas DataFrame (extra)

Every request has a deadline (``timeout`` seconds). An answer other than 2xx raises
``PlantApiError`` with the status and the problem document; a 503 carries ``retry_after``.
pandas is optional (``pip install 'millstream-client[pandas]'``): the ``*_frame`` methods
need it, the rest does not.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any, Literal, Mapping, Sequence

Scope = Literal["machine", "line", "area", "site"]

LOSSES = (
    "breakdown",
    "setupAdjustment",
    "smallStop",
    "reducedSpeed",
    "startupReject",
    "productionReject",
)


class PlantApiError(RuntimeError):
    """The API answered with an error: its status and problem+json document."""

    def __init__(self, status: int, problem: Mapping[str, Any], retry_after: float | None = None) -> None:
        detail = problem.get("detail") or problem.get("title") or ""
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.problem = dict(problem)
        self.retry_after = retry_after


class PandasMissingError(ImportError):
    """A ``*_frame`` method was called without pandas installed."""


@dataclass(frozen=True)
class ParetoRow:
    """One reason's share of the downtime (largest first)."""

    code: str
    name: str
    category: str
    ms: int
    count: int


@dataclass(frozen=True)
class KpiRow:
    """The KPIs of a machine, line, area or site over a period (ISO 22400-2 names)."""

    scope: str
    id: str
    start: datetime
    end: datetime
    planned_busy_ms: int
    run_ms: int
    downtime_ms: int
    availability: float | None
    performance: float | None
    quality: float | None
    oee: float | None
    good: int
    scrap: int
    produced: int
    first_pass_yield: float | None
    mtbf_ms: float | None
    mttr_ms: float | None
    failures: int
    breakdown_ms: int
    setup_adjustment_ms: int
    small_stop_ms: int
    reduced_speed_ms: int
    startup_reject_ms: int
    production_reject_ms: int
    constraint: str | None
    downtime_by_reason: tuple[ParetoRow, ...]


@dataclass(frozen=True)
class DowntimeRecord:
    """One stop of a machine; ``end`` is None while it lasts."""

    id: str
    machine_id: str
    line_id: str
    start: datetime
    end: datetime | None
    duration_ms: int
    state: str
    reason_code: str | None
    reason_name: str | None
    category: str
    planned: bool
    classified_by: str | None


@dataclass(frozen=True)
class ShiftRow:
    """A shift of a line, closed or open, with its KPIs."""

    shift_id: str
    line_id: str
    name: str
    start: datetime
    end: datetime
    closed: bool
    kpis: KpiRow


def _instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _iso(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("a datetime without a time zone is ambiguous: give tzinfo")
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def kpi_row(body: Mapping[str, Any]) -> KpiRow:
    """A KPI answer of the API as a row."""
    losses = body["losses"]
    snake = {name: "".join(f"_{c.lower()}" if c.isupper() else c for c in name) for name in LOSSES}
    return KpiRow(
        scope=body["scope"],
        id=body["id"],
        start=_instant(body["from"]),
        end=_instant(body["to"]),
        planned_busy_ms=body["plannedBusyMs"],
        run_ms=body["runMs"],
        downtime_ms=body["downtimeMs"],
        availability=body["availability"],
        performance=body["performance"],
        quality=body["quality"],
        oee=body["oee"],
        good=body["good"],
        scrap=body["scrap"],
        produced=body["produced"],
        first_pass_yield=body["firstPassYield"],
        mtbf_ms=body["mtbfMs"],
        mttr_ms=body["mttrMs"],
        failures=body["failures"],
        **{f"{snake[name]}_ms": losses[name] for name in LOSSES},
        constraint=body["constraint"],
        downtime_by_reason=tuple(ParetoRow(**p) for p in body["downtimeByReason"]),
    )


def downtime_record(body: Mapping[str, Any]) -> DowntimeRecord:
    """A downtime row of the API as a record."""
    return DowntimeRecord(
        id=str(body["id"]),
        machine_id=body["machineId"],
        line_id=body["lineId"],
        start=_instant(body["startedAt"]),
        end=None if body["endedAt"] is None else _instant(body["endedAt"]),
        duration_ms=body["durationMs"],
        state=body["state"],
        reason_code=body["reasonCode"],
        reason_name=body["reasonName"],
        category=body["category"],
        planned=body["planned"],
        classified_by=body["classifiedBy"],
    )


def shift_row(body: Mapping[str, Any]) -> ShiftRow:
    """A shift of the API as a row."""
    return ShiftRow(
        shift_id=body["shiftId"],
        line_id=body["lineId"],
        name=body["name"],
        start=_instant(body["startsAt"]),
        end=_instant(body["endsAt"]),
        closed=body["closed"],
        kpis=kpi_row(body["kpis"]),
    )


def _items(body: Any) -> list[Mapping[str, Any]]:
    """A list answer: a bare list, or a page with ``items``."""
    if isinstance(body, list):
        return body
    return list(body["items"])


def to_frame(rows: Sequence[Any]) -> Any:
    """Rows (dataclasses) as a pandas DataFrame, one column per field; nested rows are left out."""
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError as err:
        raise PandasMissingError(
            "pandas is not installed: pip install 'millstream-client[pandas]'"
        ) from err
    records = []
    for row in rows:
        flat = {}
        for f in fields(row):
            value = getattr(row, f.name)
            if f.name == "kpis":
                kpis = asdict(value)
                for k in ("downtime_by_reason", "scope", "id", "start", "end"):
                    kpis.pop(k)
                flat.update(kpis)
            elif f.name != "downtime_by_reason":
                flat[f.name] = value
        records.append(flat)
    return pd.DataFrame.from_records(records)


class PlantClient:
    """Reads the plant's KPIs, downtime and shifts over HTTP, each call with a deadline."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def kpis(
        self,
        scope: Scope,
        id: str,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        shift: str | None = None,
    ) -> KpiRow:
        """The KPIs of one machine, line, area or site over a period or a shift."""
        if shift is None and (since is None or until is None):
            raise ValueError("give since and until, or a shift")
        query: dict[str, str] = {"scope": scope, "id": id}
        if shift is not None:
            query["shift"] = shift
        else:
            query.update({"from": _iso(since), "to": _iso(until)})  # type: ignore[arg-type]
        return kpi_row(self._get("/api/v1/kpis", query))

    def downtime(
        self,
        line: str | None = None,
        machine: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        status: Literal["open", "unqualified"] | None = None,
    ) -> list[DowntimeRecord]:
        """The stops of a line or a machine, optionally only open or unqualified ones."""
        if (line is None) == (machine is None):
            raise ValueError("give a line or a machine")
        query = {"line": line, "machine": machine, "status": status}
        if since is not None:
            query["from"] = _iso(since)
        if until is not None:
            query["to"] = _iso(until)
        return [downtime_record(r) for r in _items(self._get("/api/v1/downtime", query))]

    def shifts(self, line: str, since: datetime | str, until: datetime | str) -> list[ShiftRow]:
        """A line's shifts in a period, closed and open, each with its KPIs."""
        query = {"line": line, "from": _iso(since), "to": _iso(until)}
        return [shift_row(r) for r in _items(self._get("/api/v1/shifts", query))]

    def kpis_frame(self, scope: Scope, ids: Sequence[str], **period: Any) -> Any:
        """The KPIs of several machines, lines, areas or sites, a row each (needs pandas)."""
        return to_frame([self.kpis(scope, i, **period) for i in ids])

    def downtime_frame(self, **query: Any) -> Any:
        """``downtime(...)`` as a DataFrame (needs pandas)."""
        return to_frame(self.downtime(**query))

    def shifts_frame(self, line: str, since: datetime | str, until: datetime | str) -> Any:
        """``shifts(...)`` as a DataFrame, the KPIs as columns (needs pandas)."""
        return to_frame(self.shifts(line, since, until))

    def _get(self, path: str, query: Mapping[str, str | None]) -> Any:
        given = {k: v for k, v in query.items() if v is not None}
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(given)}"
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as err:
            raise _api_error(err) from None


def _api_error(err: urllib.error.HTTPError) -> PlantApiError:
    try:
        problem = json.loads(err.read() or b"{}")
    except ValueError:
        problem = {}
    retry = err.headers.get("Retry-After")
    try:
        retry_after = float(retry) if retry is not None else None
    except ValueError:
        retry_after = None
    return PlantApiError(err.code, problem if isinstance(problem, dict) else {}, retry_after)
