"""Appointments (预约): slots per window, no double booking, cancellation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tongban.cases import selectors


def _window(division="420100"):
    return selectors.windows_of(division_code=division)[0]


def test_demo_opens_slots_on_working_days(api, demo):
    window = _window()
    response = api("zhangsan").get(f"/appointments/slots?window={window.pk}")
    assert response.status_code == 200
    slots = response.json()
    assert slots and all(s["free"] == 2 for s in slots)
    assert {s["starts_at"][11:16] for s in slots} >= {"09:00", "14:30"}


def test_a_slot_is_never_overbooked(api, demo):
    window = _window()
    slot = api("zhangsan").get(f"/appointments/slots?window={window.pk}").json()[0]
    assert api("zhangsan").post("/appointments", {"slot": slot["id"]}).status_code == 201
    twice = api("zhangsan").post("/appointments", {"slot": slot["id"]})
    assert twice.status_code == 409
    assert twice.json()["message"] == "您已预约该时段"
    assert api("lisi").post("/appointments", {"slot": slot["id"]}).status_code == 201
    full = api("hbcanyin").post("/appointments", {"slot": slot["id"]})
    assert full.status_code == 409
    assert "约满" in full.json()["message"]
    left = [
        s
        for s in api("zhangsan").get(f"/appointments/slots?window={window.pk}").json()
        if s["id"] == slot["id"]
    ]
    assert left[0]["free"] == 0


def test_cancelling_frees_the_seat(api, demo):
    window = _window()
    slot = api("zhangsan").get(f"/appointments/slots?window={window.pk}").json()[0]
    mine = api("zhangsan").post("/appointments", {"slot": slot["id"]}).json()
    assert api("lisi").post(f"/appointments/{mine['id']}/cancel").status_code == 404
    cancelled = api("zhangsan").post(f"/appointments/{mine['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert api("zhangsan").post(f"/appointments/{mine['id']}/cancel").status_code == 409
    assert api("zhangsan").post("/appointments", {"slot": slot["id"]}).status_code == 201
    assert [a["status"] for a in api("zhangsan").get("/appointments").json()] == [
        "booked",
        "cancelled",
    ]


def test_staff_and_unknown_slots_are_refused(api, demo):
    assert api("scjg").post("/appointments", {"slot": 1}).status_code == 403
    assert api("zhangsan").post("/appointments", {"slot": 999999}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_the_last_seat_let_exactly_one_win(api, demo_catalog):
    window = _window()
    slot = api("zhangsan").get(f"/appointments/slots?window={window.pk}").json()[0]
    assert api("hbcanyin").post("/appointments", {"slot": slot["id"]}).status_code == 201
    clients = [api("zhangsan"), api("lisi")]
    codes: list[int] = []

    def book(client):
        try:
            codes.append(client.post("/appointments", {"slot": slot["id"]}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409]
