"""PlantClient against a local HTTP server serving answers shaped as the API's contract."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from millstream_client.plant import (
    DowntimeRecord,
    PandasMissingError,
    PlantApiError,
    PlantClient,
    to_frame,
)

FROM = "2026-12-07T05:00:00.000Z"
TO = "2026-12-07T13:00:00.000Z"


def kpi_answer(id: str = "turning", **changes: Any) -> dict[str, Any]:
    body = {
        "scope": "line",
        "id": id,
        "from": FROM,
        "to": TO,
        "plannedBusyMs": 27_000_000,
        "runMs": 22_950_000,
        "downtimeMs": 4_050_000,
        "availability": 0.85,
        "performance": 0.9,
        "quality": 0.98,
        "oee": 0.7497,
        "good": 4900,
        "scrap": 100,
        "produced": 5000,
        "firstPassYield": 0.98,
        "mtbfMs": 7_650_000,
        "mttrMs": 300_000,
        "failures": 3,
        "losses": {
            "breakdown": 900_000,
            "setupAdjustment": 1_800_000,
            "smallStop": 450_000,
            "reducedSpeed": 2_000_000,
            "startupReject": 0,
            "productionReject": 120_000,
        },
        "downtimeByReason": [
            {"code": "SETUP", "name": "Changeover", "category": "setup-adjustment", "ms": 1_800_000, "count": 3}
        ],
        "constraint": "3",
    }
    body.update(changes)
    return body


DOWNTIME = [
    {
        "id": "d1",
        "machineId": "3",
        "lineId": "turning",
        "startedAt": "2026-12-07T07:12:30.000Z",
        "endedAt": "2026-12-07T07:27:30.000Z",
        "durationMs": 900_000,
        "state": "down",
        "reasonCode": "BRK-SPINDLE",
        "reasonName": "Spindle failure",
        "category": "breakdown",
        "planned": False,
        "classifiedBy": None,
    },
    {
        "id": "d2",
        "machineId": "4",
        "lineId": "turning",
        "startedAt": "2026-12-07T12:50:00.000Z",
        "endedAt": None,
        "durationMs": 600_000,
        "state": "idle",
        "reasonCode": None,
        "reasonName": None,
        "category": "unqualified",
        "planned": False,
        "classifiedBy": None,
    },
]

SHIFTS = [
    {
        "shiftId": "turning:2026-12-07:early",
        "lineId": "turning",
        "name": "early",
        "startsAt": FROM,
        "endsAt": TO,
        "closed": True,
        "kpis": kpi_answer(),
    }
]


class FakeApi(BaseHTTPRequestHandler):
    """Answers the three endpoints; `/slow` paths wait, `unavailable` ids answer 503."""

    requests: list[tuple[str, dict[str, list[str]], str | None]] = []

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        query = parse_qs(url.query)
        FakeApi.requests.append((url.path, query, self.headers.get("Authorization")))
        if query.get("id") == ["slow"]:
            time.sleep(1.5)
        if query.get("id") == ["unavailable"]:
            return self._send(503, {"title": "Service Unavailable", "detail": "catching up"}, {"Retry-After": "3"})
        if url.path == "/api/v1/kpis":
            return self._send(200, kpi_answer(query["id"][0]))
        if url.path == "/api/v1/downtime":
            return self._send(200, DOWNTIME)
        if url.path == "/api/v1/shifts":
            return self._send(200, {"items": SHIFTS})
        self._send(404, {"title": "Not Found"})

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        kind = "application/json" if status < 400 else "application/problem+json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def client(api: str) -> PlantClient:
    FakeApi.requests.clear()
    return PlantClient(api, api_key="key-1", timeout=5)


def test_kpis_come_back_as_a_row_with_the_losses_flattened(client: PlantClient) -> None:
    since = datetime(2026, 12, 7, 5, tzinfo=timezone.utc)
    row = client.kpis("line", "turning", since, TO)
    assert row.oee == 0.7497 and row.availability == 0.85
    assert row.start == since and row.end == datetime(2026, 12, 7, 13, tzinfo=timezone.utc)
    assert (row.breakdown_ms, row.setup_adjustment_ms, row.production_reject_ms) == (900_000, 1_800_000, 120_000)
    assert row.downtime_by_reason[0].code == "SETUP" and row.constraint == "3"
    path, query, auth = FakeApi.requests[-1]
    assert path == "/api/v1/kpis"
    assert query == {"scope": ["line"], "id": ["turning"], "from": ["2026-12-07T05:00:00Z"], "to": [TO]}
    assert auth == "Bearer key-1"


def test_kpis_of_a_shift_and_no_period_refused(client: PlantClient) -> None:
    client.kpis("line", "turning", shift="turning:2026-12-07:early")
    assert FakeApi.requests[-1][1]["shift"] == ["turning:2026-12-07:early"]
    with pytest.raises(ValueError):
        client.kpis("line", "turning", since=FROM)
    with pytest.raises(ValueError):
        client.kpis("line", "turning", datetime(2026, 12, 7), TO)  # no time zone


def test_downtime_records_with_open_stops_and_unqualified_reasons(client: PlantClient) -> None:
    records = client.downtime(line="turning", since=FROM, until=TO, status="unqualified")
    assert [r.id for r in records] == ["d1", "d2"]
    assert isinstance(records[0], DowntimeRecord) and records[0].reason_code == "BRK-SPINDLE"
    assert records[1].end is None and records[1].reason_code is None
    assert FakeApi.requests[-1][1] == {"line": ["turning"], "status": ["unqualified"], "from": [FROM], "to": [TO]}
    with pytest.raises(ValueError):
        client.downtime(line="turning", machine="3")


def test_shifts_from_a_page_of_items(client: PlantClient) -> None:
    [shift] = client.shifts("turning", FROM, TO)
    assert shift.closed and shift.name == "early" and shift.kpis.produced == 5000


def test_an_error_answer_raises_with_its_problem_and_retry_after(client: PlantClient) -> None:
    with pytest.raises(PlantApiError) as caught:
        client.kpis("line", "unavailable", FROM, TO)
    assert caught.value.status == 503
    assert caught.value.retry_after == 3.0
    assert caught.value.problem["detail"] == "catching up"


def test_a_slow_answer_hits_the_deadline(api: str) -> None:
    started = time.monotonic()
    with pytest.raises(OSError):  # socket.timeout / URLError, both OSError
        PlantClient(api, timeout=0.3).kpis("line", "slow", FROM, TO)
    assert time.monotonic() - started < 1.2


def test_frames_need_pandas_and_say_how_to_get_it(client: PlantClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(PandasMissingError, match=r"millstream-client\[pandas\]"):
        client.downtime_frame(line="turning")


def test_frames_with_pandas(client: PlantClient) -> None:
    pytest.importorskip("pandas")
    frame = client.shifts_frame("turning", FROM, TO)
    assert list(frame["shift_id"]) == ["turning:2026-12-07:early"]
    assert frame.loc[0, "oee"] == 0.7497 and "downtime_by_reason" not in frame.columns
    kpis = client.kpis_frame("line", ["turning", "milling"], since=FROM, until=TO)
    assert list(kpis["id"]) == ["turning", "milling"]
    assert len(to_frame([])) == 0
