"""``tongban licences verify FILE --keys KEYS.json`` (offline: no server, no database),
``tongban licences import FILE --type CODE --issuer DIVISION/DEPT``, ``tongban licences keys``
(the published key set as JSON) and ``tongban licences rotate-key --issuer DIVISION/DEPT``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import DomainError
from tongban.licences.signed import verify_document


def _read_json(path: str, what: str) -> Any:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{what} not found: {file}")
    try:
        return json.loads(file.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"{what} is not JSON: {exc}") from exc


def _department_id(spec: str) -> int:
    from tongban.org.selectors import department_by_code

    division, _sep, code = spec.partition("/")
    found = department_by_code(division_code=division, code=code)
    if found is None:
        raise CommandError(f"no department {spec!r} (expected DIVISION/CODE, e.g. 420100/scjg)")
    return found.pk


class Command(BaseCommand):
    help = "Verify licences offline, import licences, publish or rotate signing keys."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a signed licence JSON file offline")
        verify.add_argument("file")
        verify.add_argument("--keys", required=True, help="key set from /api/v1/licences/keys")
        verify.add_argument("--today", default=None, help="check validity at this date")
        imp = sub.add_parser("import", help="import existing licences from CSV or XLSX")
        imp.add_argument("file")
        imp.add_argument("--type", required=True, help="licence type code")
        imp.add_argument("--issuer", required=True, help="DIVISION/CODE, e.g. 420100/scjg")
        sub.add_parser("keys", help="print the published key set as JSON")
        rotate = sub.add_parser("rotate-key", help="retire a department's key, start a new one")
        rotate.add_argument("--issuer", required=True, help="DIVISION/CODE")
        rotate.add_argument("--algorithm", choices=["SM2-SM3", "Ed25519"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options)
        elif action == "import":
            self._import(options)
        elif action == "keys":
            from tongban.licences.selectors import published_keys

            self.stdout.write(json.dumps({"keys": published_keys()}, ensure_ascii=False, indent=2))
        else:
            from tongban.licences.services import signing_key_rotate

            key = signing_key_rotate(
                department_id=_department_id(options["issuer"]), algorithm=options["algorithm"]
            )
            self.stdout.write(f"new key {key.key_id} ({key.algorithm})")

    def _verify(self, options: dict[str, Any]) -> None:
        document = _read_json(options["file"], "licence file")
        key_set = _read_json(options["keys"], "key file")
        keys = key_set.get("keys") if isinstance(key_set, dict) else key_set
        if not isinstance(keys, list):
            raise CommandError('key file must hold {"keys": [...]} as published by the API')
        today = date.fromisoformat(options["today"]) if options["today"] else date.today()
        result = verify_document(document, keys, today)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        if result.valid:
            self.stdout.write("注意：离线查验不含吊销、暂停状态，请以在线查验结果为准。")
        else:
            raise CommandError(result.reason)

    def _import(self, options: dict[str, Any]) -> None:
        from tongban.licences.services import licences_import

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            result = licences_import(
                content=path.read_bytes(),
                filename=path.name,
                type_code=options["type"],
                issuer_id=_department_id(options["issuer"]),
                progress=lambda line: self.stdout.write(line),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if result.errors:
            for line in result.errors:
                self.stderr.write(line)
            raise CommandError(f"nothing imported: {len(result.errors)} rows have errors")
        self.stdout.write(f"imported {result.created} licences")
