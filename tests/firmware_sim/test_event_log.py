"""The event log keeps status events cheaply (numbers, not Events) and reads back the same Events, in order."""
from __future__ import annotations

from firmware_sim.event_log import PENDING_STATUS_FLOATS, Event, EventKind, EventLog


def _fill(log: EventLog) -> None:
    log.append(0.0, EventKind.STATE, from_state="idle", to_state="priming")
    log.append_status(60.0, 0.5, 0.5)
    for status in ((120.0, 1.0, 1.0), (180.0, 1.5, 1.5), (240.0, 2.0, 2.1)):
        log.append_status(*status)
    log.append(240.0, EventKind.ALARM, alarm="over_delivery")
    log.append_status(300.0, 2.5, 2.6)


def test_compact_statuses_read_back_as_the_events_a_sink_receives():
    sunk: list[Event] = []
    with_sink, without_sink = EventLog(sunk.append), EventLog()
    _fill(with_sink)
    _fill(without_sink)
    assert len(without_sink) == len(with_sink) == len(sunk) == 7
    records = [e.to_record() for e in without_sink.events]
    assert records == [e.to_record() for e in sunk] == [e.to_record() for e in with_sink.events]
    assert [r["t_s"] for r in records] == [0.0, 60.0, 120.0, 180.0, 240.0, 240.0, 300.0]
    assert records[4] == {"t_s": 240.0, "kind": "status", "delivered_ul": 2.0, "commanded_ul": 2.1}
    assert all(type(r["delivered_ul"]) is float for r in records if r["kind"] == "status")
    without_sink.append_status(360.0, 3.0, 3.1)  # appending after a read builds only what is new
    assert len(without_sink) == 8 and without_sink.events[-1].t_s == 360.0
    assert [e.to_record() for e in without_sink.events[:7]] == records


def test_reads_between_appends_keep_the_order():
    sunk: list[Event] = []
    with_sink, without_sink = EventLog(sunk.append), EventLog()
    for log in (with_sink, without_sink):
        _fill(log)
        assert len(log.events) == 7
        log.append(300.0, EventKind.ALARM_CLEARED, alarm="over_delivery")  # a read, then statuses before an event
        log.append_status(360.0, 3.0, 3.1)
        assert len(log.events) == 9
        log.append_status(420.0, 3.5, 3.6)
        log.append(420.0, EventKind.STATE, from_state="alarm", to_state="idle")
    records = [e.to_record() for e in without_sink.events]
    assert records == [e.to_record() for e in sunk] == [e.to_record() for e in with_sink.events]
    assert [r["kind"] for r in records[6:]] == ["status", "alarm_cleared", "status", "status", "state"]
    assert len(without_sink) == 11


def test_more_pending_statuses_than_an_event_keeps_as_floats_read_back_in_order():
    """Statuses beyond PENDING_STATUS_FLOATS before an event move into the compact array at that event; the
    events read back are those a sink receives, in order, with their counts."""
    n_ticks = PENDING_STATUS_FLOATS // 3 + 7
    sunk: list[Event] = []
    with_sink, without_sink = EventLog(sunk.append), EventLog()
    for log in (with_sink, without_sink):
        for k in range(n_ticks):
            log.append_status(60.0 * k, 0.5 * k, 0.25 * k)
        log.append(60.0 * n_ticks, EventKind.ALARM, alarm="over_delivery")
        log.append_status(60.0 * (n_ticks + 1), 1.0, 2.0)
        log.append(60.0 * (n_ticks + 1), EventKind.ALARM_CLEARED, alarm="over_delivery")
    records = [e.to_record() for e in without_sink.events]
    assert records == [e.to_record() for e in sunk] == [e.to_record() for e in with_sink.events]
    assert len(without_sink) == len(records) == n_ticks + 3
    assert [r["kind"] for r in records[n_ticks - 1:]] == ["status", "alarm", "status", "alarm_cleared"]
    assert records[n_ticks - 1] == {"t_s": 60.0 * (n_ticks - 1), "kind": "status",
                                    "delivered_ul": 0.5 * (n_ticks - 1), "commanded_ul": 0.25 * (n_ticks - 1)}
