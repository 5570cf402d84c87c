from concurrent.futures import ThreadPoolExecutor

from tongban.settings import keys


def test_concurrent_first_use_agrees_on_one_key(tmp_path):
    counter = iter(range(1000))

    def create(_):
        return keys.load_or_create(tmp_path, "shared", lambda: f"key-{next(counter)}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        values = set(pool.map(create, range(32)))
    assert len(values) == 1
    path = tmp_path / "keys" / "shared"
    assert oct(path.stat().st_mode)[-3:] == "600"
    assert [p.name for p in path.parent.iterdir()] == ["shared"]


def test_key_ring_and_file_settings(tmp_path, monkeypatch):
    assert keys.parse_key_ring("k1:aa, k2:bb") == {"k1": "aa", "k2": "bb"}
    assert keys.parse_key_ring("") == {}
    pem = tmp_path / "oidc.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\n")
    monkeypatch.delenv("TONGBAN_OIDC_RSA_KEY", raising=False)
    monkeypatch.setenv("TONGBAN_OIDC_RSA_KEY_FILE", str(pem))
    assert keys.from_env_or_file("TONGBAN_OIDC_RSA_KEY").startswith("-----BEGIN")
