"""Issue 15 acceptance tests, webhooks: signed deliveries from a persisted outbox, retried with
back-off after 500s and timeouts, in order per event, never in the API's request path, refusing
private targets unless the operator allows them. A real `attendify serve` (SQLite and
PostgreSQL) with `--webhooks-allow-private --webhook-timeout 1 --webhook-retry-base 1` posts to a
real threaded HTTP receiver on loopback (Tests/pysupport/webhook_receiver.py) that records the
exact bytes and answers as each test programs it.

- test_private_targets_need_the_operator_flag: without the flag http://127.0.0.1, https://127.0.0.1
  and https://10.0.0.1 are 422 (that server never has an event, so nothing is ever sent); with it
  a loopback URL is accepted.
- test_event_changes_are_delivered_signed_and_in_order: create, update, cancel, delete ->
  event.created, event.updated, event.cancelled, event.deleted in that order; each signature
  recomputed over the exact body with the secret, `t` recent, Attendify-Delivery = body id (32
  hex), Attendify-Event = type, the documented headers; the list shows the last delivery.
- test_500s_are_retried_until_accepted_once: 500, 500, then 200: three attempts with the same
  delivery id and body, accepted exactly once; no further attempt.
- test_a_timeout_is_retried: the first answer comes after the sender's timeout: tried again.
- test_order_per_event_while_one_is_retried: event A's first delivery fails four times; A's two
  updates arrive only after it was accepted, in order, while event B's deliveries arrive before
  A's first one succeeds (order of arrival at the receiver, no clock).
- test_a_slow_receiver_does_not_slow_the_api: (--webhook-timeout 600) while the receiver holds a
  delivery unanswered, 20 API writes all complete, and the held request is still unanswered when
  they have (causal).
- test_click_milestone: 10 clicks through /track/{public_id}/google -> one clicks.milestone
  delivery with milestone 10; two more clicks send nothing.
- test_deleting_a_webhook_stops_deliveries: a delivery being retried stops when its webhook is
  deleted (at most the attempt in flight lands), and later changes send nothing.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

import postgres_support as pg
from analytics_support import DESKTOP_UA, App, Apps
from attendify_nginx import Reply, fetch
from attendify_serve import database_for
from webhook_receiver import Answer, Record, WebhookReceiver, verify_signature

PASSWORD = "correct horse battery staple"
EVENT_TYPES = ["event.created", "event.updated", "event.cancelled", "event.deleted", "clicks.milestone"]
DELIVERY_ID = re.compile(r"^[0-9a-f]{32}$")
DEADLINE_S = 90.0
FLAGS = ("--webhooks-allow-private", "--webhook-timeout", "1", "--webhook-retry-base", "1")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    db, env = database_for(request.param, request)
    yield request.param, db, env
    if db is not None:
        pg.drop_database(db, env["PGPASSWORD"])


@pytest.fixture
def apps(request, tmp_path) -> Iterator[Apps]:
    failed_before = request.session.testsfailed
    started = Apps(tmp_path)
    yield started
    started.stop_all()
    if request.session.testsfailed > failed_before:
        started.dump()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as started:
        yield started


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Organizer:
    def __init__(self, app: App):
        self.app = app
        self.email = f"hooks-{uuid.uuid4().hex[:10]}@example.com"
        self.token: str | None = None
        assert self.call("POST", "/api/auth/register", {"email": self.email, "password": PASSWORD}, token=None).status == 201
        login = self.call("POST", "/api/auth/login", {"email": self.email, "password": PASSWORD}, token=None)
        assert login.status == 200, login
        self.token = login.json()["token"]

    def call(self, method: str, path: str, body=None, headers=None, token: str | None = "session") -> Reply:
        return fetch(self.app.port, method, path, body=body, headers=headers,
                     token=self.token if token == "session" else token)

    def webhook(self, url: str, events: list[str] = EVENT_TYPES, description: str | None = "test receiver") -> dict:
        reply = self.call("POST", "/api/webhooks", {"url": url, "events": events, "description": description})
        assert reply.status == 201, reply
        return reply.json()

    def create_event(self, title: str) -> dict:
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
        reply = self.call("POST", "/api/events", {"title": title, "start_datetime": rfc3339(start),
                                                  "end_datetime": rfc3339(start + timedelta(hours=1)),
                                                  "timezone": "UTC", "webinar_url": "https://example.com/live"})
        assert reply.status == 201, reply
        return reply.json()

    def update(self, event_id: int, **fields) -> dict:
        reply = self.call("PUT", f"/api/events/{event_id}", fields)
        assert reply.status == 200, reply
        return reply.json()


def serve(apps: Apps, backend, *extra: str, name: str = "serve") -> App:
    _, db, env = backend
    return apps.serve(db, env, *extra, trusted_proxy=False, metrics=False, name=name)


def event_of(record: Record) -> dict:
    return record.json()["data"]["event"]


def of_event(event_id: int, kind: str | None = None):
    return lambda r: event_of(r).get("id") == event_id and (kind is None or r.type == kind)


def assert_signed(record: Record, secret: str) -> None:
    ok, why = verify_signature(record, secret)
    assert ok, f"delivery {record.index}: {why}"
    body = record.json()
    assert DELIVERY_ID.match(body["id"]), body["id"]
    assert record.header("Attendify-Delivery") == body["id"]
    assert record.header("Attendify-Event") == body["type"]
    assert record.header("User-Agent") == "Attendify-Webhooks/1"
    assert (record.header("Content-Type") or "").startswith("application/json")
    assert record.method == "POST"
    assert set(body) == {"id", "type", "created_at", "data"}, body
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert abs((created - datetime.now(timezone.utc)).total_seconds()) < 3600


def test_private_targets_need_the_operator_flag(apps, backend, receiver):
    strict = Organizer(serve(apps, backend))
    for url in (receiver.url(), receiver.url().replace("http://", "https://"), "https://10.0.0.1/hook",
                "https://192.168.1.10/hook", "https://[fd00::1]/hook", "https://localhost/hook"):
        reply = strict.call("POST", "/api/webhooks", {"url": url, "events": ["event.created"]})
        if reply.status == 201:  # never leave it registered: no delivery may ever go there
            strict.call("DELETE", f"/api/webhooks/{reply.json()['id']}")
        assert reply.status == 422, f"{url} without --webhooks-allow-private: {reply}"
        assert any(e.get("field") == "url" for e in reply.json().get("errors", [])), reply
    assert strict.call("GET", "/api/webhooks").json()["webhooks"] == []
    apps.stop_all()

    allowing = Organizer(serve(apps, backend, *FLAGS, name="serve-allowing"))
    created = allowing.webhook(receiver.url())
    assert created["url"] == receiver.url()
    assert re.match(r"^whsec_[A-Za-z0-9_-]+$", created["secret"]), created["secret"]
    listed = allowing.call("GET", "/api/webhooks")
    assert created["secret"].encode() not in listed.body
    entry = listed.json()["webhooks"][0]
    assert set(entry) == {"id", "url", "events", "description", "created_at", "last_delivery"}
    assert entry["last_delivery"] is None and entry["events"] == EVENT_TYPES


def test_event_changes_are_delivered_signed_and_in_order(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    hook = organizer.webhook(receiver.url("/attendify?src=test"))
    event = organizer.create_event("Signed deliveries")
    organizer.update(event["id"], title="Signed deliveries (moved)")
    cancelled = organizer.call("POST", f"/api/events/{event['id']}/cancel")
    assert cancelled.status == 200, cancelled
    assert organizer.call("DELETE", f"/api/events/{event['id']}").status == 204

    records = receiver.wait_for(lambda r: r.accepted, DEADLINE_S, count=4)
    time.sleep(3)
    records = receiver.matching()
    assert [r.type for r in records] == ["event.created", "event.updated", "event.cancelled", "event.deleted"], \
        [(r.type, r.status_sent) for r in records]
    assert all(r.path == "/attendify?src=test" for r in records)
    for record in records:
        assert_signed(record, hook["secret"])
        assert event_of(record)["id"] == event["id"] and event_of(record)["public_id"] == event["public_id"]
    assert len({r.delivery_id for r in records}) == 4
    created, updated, cancel, deleted = (event_of(r) for r in records)
    assert created["title"] == "Signed deliveries" and created == event, "event.created carries the event as the API answered"
    assert updated["title"] == "Signed deliveries (moved)"
    assert cancel["status"] == "cancelled"
    assert deleted["title"] == "Signed deliveries (moved)" and deleted["status"] == "cancelled", "the last state"
    # A wrong secret does not verify (the check is real).
    assert not verify_signature(records[0], hook["secret"] + "x")[0]

    last = organizer.call("GET", "/api/webhooks").json()["webhooks"][0]["last_delivery"]
    assert last and last["status"] == "delivered" and last["attempts"] == 1 and last["response_status"] == 200, last


def test_500s_are_retried_until_accepted_once(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    hook = organizer.webhook(receiver.url(), ["event.created"])
    receiver.plan(Answer(500), Answer(500))
    organizer.create_event("Retried")
    receiver.wait_for(lambda r: r.accepted, DEADLINE_S)
    time.sleep(6)  # several retry periods with base 1 s: nothing more may come
    records = receiver.matching()
    assert [r.status_sent for r in records] == [500, 500, 200], [(r.index, r.status_sent) for r in records]
    assert len({r.delivery_id for r in records}) == 1, "one delivery, three attempts"
    assert len({r.body for r in records}) == 1, "every attempt sends the same body"
    for record in records:
        assert_signed(record, hook["secret"])
    last = organizer.call("GET", "/api/webhooks").json()["webhooks"][0]["last_delivery"]
    assert last == {**last, "status": "delivered", "attempts": 3, "response_status": 200}, last


def test_a_timeout_is_retried(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    organizer.webhook(receiver.url(), ["event.created"])
    receiver.plan(Answer(200, delay_s=4))  # the sender gives up after 1 s
    organizer.create_event("Slow first answer")
    receiver.wait_for(lambda r: r.accepted, DEADLINE_S)
    time.sleep(6)
    records = receiver.matching()
    assert len(records) == 2, [(r.index, r.status_sent, r.delayed_s) for r in records]
    assert records[0].delayed_s and records[1].accepted
    assert records[0].delivery_id == records[1].delivery_id


def test_order_per_event_while_one_is_retried(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    organizer.webhook(receiver.url(), ["event.created", "event.updated"])
    is_a_created = lambda r: r.type == "event.created" and event_of(r)["title"] == "Ordering A"  # noqa: E731
    receiver.when(is_a_created, *[Answer(500)] * 4)  # retried after 1, 2, 4 and 8 s
    a = organizer.create_event("Ordering A")
    organizer.update(a["id"], title="Ordering A1")
    organizer.update(a["id"], title="Ordering A2")
    b = organizer.create_event("Ordering B")
    organizer.update(b["id"], title="Ordering B1")
    receiver.wait_for(lambda r: of_event(a["id"], "event.updated")(r) and r.accepted, DEADLINE_S, count=2)
    time.sleep(2)
    a_records = receiver.matching(of_event(a["id"]))
    assert [(r.type, event_of(r)["title"], r.status_sent) for r in a_records] == [
        *[("event.created", "Ordering A", 500)] * 4, ("event.created", "Ordering A", 200),
        ("event.updated", "Ordering A1", 200), ("event.updated", "Ordering A2", 200)], \
        [(r.index, r.type, event_of(r)["title"], r.status_sent) for r in a_records]
    a_delivered = a_records[4]
    b_records = receiver.matching(of_event(b["id"]))
    assert [(r.type, r.status_sent) for r in b_records] == [("event.created", 200), ("event.updated", 200)], b_records
    assert all(r.index < a_delivered.index for r in b_records), \
        "event B's deliveries must flow while event A's first delivery is being retried"


def test_a_slow_receiver_does_not_slow_the_api(apps, backend, receiver):
    # A long timeout: the sender really waits on the held request the whole time.
    organizer = Organizer(serve(apps, backend, "--webhooks-allow-private", "--webhook-timeout", "600",
                                "--webhook-retry-base", "1"))
    organizer.webhook(receiver.url(), ["event.created", "event.updated"])
    hold = receiver.plan_hold()
    first = organizer.create_event("Held delivery")
    hold.wait_arrived(DEADLINE_S)
    done = []
    for n in range(10):
        done.append(organizer.create_event(f"Write {n}")["id"])
        organizer.update(done[-1], title=f"Write {n} (changed)")
    assert len(done) == 10
    assert hold.pending, "20 API writes completed while the receiver held a delivery unanswered"
    assert hold.record.type == "event.created" and event_of(hold.record)["id"] == first["id"]
    hold.release()
    receiver.wait_for(lambda r: r.accepted, DEADLINE_S, count=21)


def test_click_milestone(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    hook = organizer.webhook(receiver.url(), ["clicks.milestone"])
    event = organizer.create_event("Popular")
    for _ in range(10):
        click = fetch(organizer.app.port, "GET", f"/track/{event['public_id']}/google", headers={"User-Agent": DESKTOP_UA})
        assert click.status in (301, 302, 303, 307), click
    record = receiver.wait_for(lambda r: r.type == "clicks.milestone", DEADLINE_S)[0]
    assert_signed(record, hook["secret"])
    data = record.json()["data"]
    assert data["milestone"] == 10, data
    assert data["event"] == {"id": event["id"], "public_id": event["public_id"], "title": "Popular"}, data
    for _ in range(2):
        fetch(organizer.app.port, "GET", f"/track/{event['public_id']}/google", headers={"User-Agent": DESKTOP_UA})
    time.sleep(5)
    assert len(receiver.matching(lambda r: r.type == "clicks.milestone")) == 1
    assert len(receiver.matching()) == 1, "only milestones were subscribed"


def test_deleting_a_webhook_stops_deliveries(apps, backend, receiver):
    organizer = Organizer(serve(apps, backend, *FLAGS))
    hook = organizer.webhook(receiver.url(), ["event.created", "event.updated"])
    receiver.default = Answer(500)  # every attempt fails: the delivery keeps being retried
    event = organizer.create_event("Doomed hook")
    receiver.wait_for(lambda r: True, DEADLINE_S, count=2)  # at least one retry seen
    deleted = organizer.call("DELETE", f"/api/webhooks/{hook['id']}")
    assert deleted.status == 204, deleted
    seen = len(receiver.matching())
    organizer.update(event["id"], title="Doomed hook (changed)")
    time.sleep(10)  # retries with base 1 s would have come several times by now
    after = receiver.matching()[seen:]
    assert len(after) <= 1, f"attempts after the deletion (one may have been in flight): {[(r.index, r.type) for r in after]}"
    assert not [r for r in after if r.type == "event.updated"]
    assert organizer.call("GET", "/api/webhooks").json()["webhooks"] == []
    assert organizer.call("DELETE", f"/api/webhooks/{hook['id']}").status == 404
