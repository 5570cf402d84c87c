"""Django's deployment checklist passes with the production settings."""

import os
import subprocess
import sys
from pathlib import Path


def test_check_deploy_is_clean_and_generates_no_keys(tmp_path):
    rsa = tmp_path / "oidc.pem"
    rsa.write_text(
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGBAN_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tongban.settings.production",
        SECRET_KEY="s" * 20 + "k3y-w1th-enough-length-and-variety-0123456789",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TONGBAN_FIELD_KEY="00112233445566778899aabbccddeeff",
        TONGBAN_LOOKUP_KEY="ab" * 32,
        TONGBAN_PLATFORM_KEY="3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
        TONGBAN_OIDC_RSA_KEY_FILE=str(rsa),
        TONGBAN_VAR_DIR=str(tmp_path / "var"),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tongban.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not Path(tmp_path / "var" / "keys").exists()
