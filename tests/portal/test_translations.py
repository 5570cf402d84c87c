from pathlib import Path

import polib
import pytest
from django.test import Client

import tongban

LOCALE = Path(tongban.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def test_every_message_has_an_english_translation():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert len(catalogue) > 150
    assert not catalogue.untranslated_entries()
    assert not catalogue.fuzzy_entries()


def test_compiled_catalogue_matches_the_source():
    source = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po"))}
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    assert compiled == source


@pytest.mark.django_db
def test_validation_messages_follow_the_chosen_language(demo):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        "/accounts/register/",
        {
            "username": "zhaoliu",
            "real_name": "赵六",
            "id_number": "420102199003071231",
            "phone": "13812345678",
            "password": "Hubei-2026-secure",
        },
    )
    assert "The check digit of the ID card number is wrong" in response.content.decode()
