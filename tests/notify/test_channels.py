import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from tongban.notify.channels import (
    ConsoleSmsGateway,
    DeliveryFailed,
    HttpSmsGateway,
    Message,
    sms_gateway,
    sms_text,
)


def test_sms_text_is_the_title_and_a_pointer_never_the_body():
    text = sms_text(Message(title="身份证420102199003071232的证照已签发", body="机密内容"))
    assert "420102199003071232" not in text and "机密内容" not in text
    assert text.startswith("身份证***的证照已签发") and "我的消息" in text


def test_console_gateway_is_the_default(settings):
    settings.TONGBAN_SMS_GATEWAY_URL = ""
    assert isinstance(sms_gateway(), ConsoleSmsGateway)


def test_settings_fall_back_to_the_environment(settings, monkeypatch):
    del settings.TONGBAN_SMS_GATEWAY_URL  # not defined in the settings module
    monkeypatch.setenv("TONGBAN_SMS_GATEWAY_URL", "https://sms.example.gov.cn/send")
    monkeypatch.setenv("TONGBAN_SMS_GATEWAY_KEY", "k")
    gateway = sms_gateway()
    assert isinstance(gateway, HttpSmsGateway) and gateway.url.startswith("https://sms.")


@pytest.mark.parametrize(
    ("url", "key"), [("ftp://sms.example/", "k"), ("https://sms.example/", ""), ("sms", "k")]
)
def test_http_gateway_needs_an_http_url_and_a_key(url, key):
    with pytest.raises(ImproperlyConfigured):
        HttpSmsGateway(url, key)


def test_unreachable_gateway_is_a_temporary_failure():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = HttpSmsGateway(f"http://127.0.0.1:{port}/", "k", timeout=2)
    with pytest.raises(DeliveryFailed) as failed:
        gateway.send("13800001234", "测试")
    assert failed.value.permanent is False
