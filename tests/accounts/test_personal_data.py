import pytest
from django.test import Client

from tongban.accounts.models import User
from tongban.core.models import AuditEntry


@pytest.mark.django_db
def test_staff_see_masked_numbers_and_reveal_with_a_reason(demo, api_token):
    headers = api_token("chuangkou")
    listing = Client().get("/api/v1/citizens?q=李", **headers).json()
    assert listing["items"] == [
        {
            "user_id": User.objects.get(username="lisi").pk,
            "real_name": "李四",
            "id_number_masked": "4209**********4560",
            "phone_masked": "139****5678",
        }
    ]
    url = f"/api/v1/citizens/{listing['items'][0]['user_id']}/reveal"
    short = Client().post(url, {"reason": "看"}, content_type="application/json", **headers)
    assert short.status_code == 422 and short.json()["field"] == "reason"
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()
    ok = Client().post(
        url, {"reason": "窗口办理业务核验身份"}, content_type="application/json", **headers
    )
    assert ok.json() == {"id_number": "420902200005124560", "phone": "13900005678"}
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert entry.actor_label == "chuangkou" and entry.detail["reason"] == "窗口办理业务核验身份"
    assert "420902200005124560" not in str(entry.detail)


@pytest.mark.django_db
def test_reveal_of_an_unknown_citizen_is_404(demo, api_token):
    response = Client().post(
        "/api/v1/citizens/999999/reveal",
        {"reason": "窗口办理业务"},
        content_type="application/json",
        **api_token("chuangkou"),
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_audit_never_holds_plaintext_identifiers(demo):
    for entry in AuditEntry.objects.all():
        text = str(entry.detail)
        assert "420102199003071232" not in text and "13800001234" not in text
