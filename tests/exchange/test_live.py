"""End to end on a live server: a department system gets a client-credentials token at
/o/token/ over HTTP and queries the gateway with it."""

from __future__ import annotations

import requests

from .conftest import SECRET, grant


def test_client_credentials_on_a_live_server(live_server, transactional_db, world, population):
    from tongban.exchange import services

    services.exchange_client_upsert(
        client_id="rst-shebao",
        client_secret=SECRET,
        name="社保业务系统",
        department_id=world.consumer.pk,
    )
    grant(world, population.code, ["name", "id_number", "birth_date"])
    token = requests.post(
        f"{live_server.url}/o/token/",
        data={"grant_type": "client_credentials"},
        auth=("rst-shebao", SECRET),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    wrong = requests.post(
        f"{live_server.url}/o/token/",
        data={"grant_type": "client_credentials"},
        auth=("rst-shebao", "wrong-secret-wrong-secret"),
        timeout=10,
    )
    assert wrong.status_code == 401
    response = requests.post(
        f"{live_server.url}/exchange/v1/{population.code}/query",
        json={
            "filters": {"id_number": "420902200005124560"},
            "fields": ["name", "birth_date"],
            "purpose": "社会保险参保登记核验身份",
        },
        headers={"Authorization": f"Bearer {access}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [{"name": "李*", "birth_date": "2000-05-12"}]
