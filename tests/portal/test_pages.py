import pytest
from django.test import Client

from tongban.accounts.models import CitizenProfile
from tongban.demo.data import DEMO_PASSWORD


@pytest.mark.django_db
def test_home_is_chinese_with_landmarks_and_paged_news(demo, client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="zh-Hans">' in html
    for landmark in ("<header", '<nav class="main-nav"', '<main id="main"', "<footer"):
        assert landmark in html
    assert 'class="skip-link" href="#main"' in html
    assert "全省“一网通办”平台上线试运行" in html
    assert "政务服务“好差评”制度全面实行" in html  # 5th newest
    assert "12345热线" not in html  # 7th: on the next page
    assert 'rel="next"' in html


@pytest.mark.django_db
def test_news_pages_follow_the_cursor(demo, client):
    from tongban.disclosure.selectors import article_list

    first = article_list(division_code="420000", size=5)
    html = client.get(f"/?news={first.next_cursor}").content.decode()
    assert "12345热线" in html and "全省“一网通办”平台上线试运行" not in html
    assert client.get("/?news=garbage").status_code == 422


@pytest.mark.django_db
def test_division_pages_and_articles(demo, client):
    html = client.get("/d/420100/").content.decode()
    assert "武汉市政务服务" in html and "江岸区" in html and "湖北省" in html
    from tongban.disclosure.models import Article

    article = Article.objects.get(slug="wuhan-kaidian")
    page = client.get(f"/d/420100/news/{article.pk}/")
    assert page.status_code == 200 and "一次申请" in page.content.decode()
    assert client.get(f"/d/420900/news/{article.pk}/").status_code == 404


@pytest.mark.django_db
def test_language_switch_and_elderly_mode_persist(demo):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()
    toggled = client.post("/prefs/elderly/", {"enabled": "1", "next": "/d/420100/"})
    assert toggled.status_code == 302 and toggled["Location"] == "/d/420100/"
    assert '<body class="elderly">' in client.get("/").content.decode()
    client.post("/prefs/elderly/", {"enabled": "0"})
    assert '<body class="">' in client.get("/").content.decode()
    evil = client.post("/prefs/elderly/", {"enabled": "1", "next": "https://evil.example/"})
    assert evil["Location"] == "/"


@pytest.mark.django_db
def test_registration_form_shows_field_errors_and_keeps_input(demo, client):
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
    html = response.content.decode()
    assert response.status_code == 422
    assert "身份证号码校验位错误" in html and 'aria-invalid="true"' in html
    assert 'value="赵六"' in html and "Hubei-2026-secure" not in html
    assert not CitizenProfile.objects.filter(real_name="赵六").exists()


@pytest.mark.django_db
def test_registration_form_signs_the_citizen_in(demo, client):
    from stdnum.cn import ric

    number = "42010619800101123" + ric.calc_check_digit("420106198001011230")
    response = client.post(
        "/accounts/register/",
        {
            "username": "zhaoliu",
            "real_name": "赵六",
            "id_number": number,
            "phone": "13812345678",
            "password": "Hubei-2026-secure",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    me = client.get("/me/").content.decode()
    assert "赵六" in me and "4201**********" in me and number not in me


@pytest.mark.django_db
def test_login_logout_and_safe_next(demo, client):
    bad = client.post("/accounts/login/", {"username": "zhangsan", "password": "x"})
    assert bad.status_code == 400 and "用户名或密码错误" in bad.content.decode()
    ok = client.post(
        "/accounts/login/",
        {"username": "zhangsan", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert ok["Location"] == "/me/"
    assert client.get("/accounts/logout/").status_code == 405  # logging out needs a POST form
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/me/").status_code == 302


@pytest.mark.django_db
def test_forms_require_csrf(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "您访问的页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_head_requests_are_answered_like_get_and_change_nothing(demo, client):
    from tongban.core.models import AuditEntry

    before = AuditEntry.objects.count()
    for path in ("/", "/accounts/login/", "/accounts/register/", "/healthz", "/d/420100/"):
        assert client.head(path).status_code == 200, path
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_sign_in_pages_allow_registered_client_origins_in_form_action(demo, client):
    from oauth2_provider.models import Application

    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8765" in csp
    assert "8765" not in client.get("/accounts/register/")["Content-Security-Policy"]
    Application.objects.filter(client_id="demo-legacy").update(
        redirect_uris="https://dept.example.gov.cn/cb"
    )
    Application.objects.get(client_id="demo-legacy").save()  # signals reset the cached list
    assert (
        "https://dept.example.gov.cn" in client.get("/accounts/login/")["Content-Security-Policy"]
    )
