"""E-licences (issue 5): licences issued and verified per second, against the signature
operations they cannot avoid, measured in the same run.

* ``issue``: ``licences.services.licence_issue`` of a business licence for the demo
  enterprise by 武汉市市场监督管理局 (checks, serial number, canonical JSON, one SM2
  signature with the department key, the encrypted row, history, audit chain, outbox) —
  against ``sign only``: the same department signer signing the same canonical payloads.
* ``verify online``: ``licences.services.licence_verify`` on the signed documents (published
  key set from the database, signature, validity, the licence's current status) — against
  ``verify only``: one signature verification with the public key, and ``verify offline``:
  ``signed.verify_document`` with a key set fetched once, as the CLI does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.exchange import timing
from tongban.core.crypto import verify_with_public_key
from tongban.demo.licences_demo import load_licence_types
from tongban.licences import selectors, services
from tongban.licences.models import Licence, LicenceType
from tongban.licences.signed import canonical_bytes, verify_document
from tongban.licences.signing import signer_for
from tongban.org.selectors import department_by_code

Progress = Callable[[str], None]
HOLDER = ("91420100MA4KXL7P09", "湖北楚味餐饮有限公司")
DATA = {
    "entity_name": HOLDER[1],
    "legal_representative": "张三",
    "registered_capital": "50",
    "business_scope": "餐饮服务；食品销售；酒类经营",
    "address": "武汉市江汉区解放大道 100 号",
}


def _issue(licence_type: LicenceType, issuer_id: int) -> Licence:
    return services.licence_issue(
        licence_type=licence_type,
        issuer_id=issuer_id,
        holder_kind="legal",
        holder_code=HOLDER[0],
        holder_name=HOLDER[1],
        data=DATA,
    )


def _timed(count: int, action: Callable[[int], Any]) -> tuple[dict[str, float], list[Any]]:
    durations, results = [], []
    for index in range(count):
        started = time.perf_counter()
        results.append(action(index))
        durations.append(time.perf_counter() - started)
    return timing(durations), results


def measure_licences(count: int, progress: Progress = print) -> dict[str, Any]:
    load_licence_types(lambda _line: None)
    licence_type = LicenceType.objects.get(name="营业执照")
    department = department_by_code(division_code="420100", code="scjg")
    assert department is not None
    _issue(licence_type, department.pk)  # the department key is made on first use
    issued_timing, issued = _timed(count, lambda _i: _issue(licence_type, department.pk))
    progress(f"  issued {count}: {issued_timing['per_s']:.1f}/s")
    documents = [selectors.signed_of(licence) for licence in issued]
    payloads = [canonical_bytes(d["licence"]) for d in documents]
    signer = signer_for(issued[0].key)
    sign_timing, _ = _timed(count, lambda i: signer.sign(payloads[i]))
    progress(f"  sign only: {sign_timing['per_s']:.1f}/s")

    online_timing, online = _timed(count, lambda i: services.licence_verify(documents[i]))
    assert all(result.valid for result in online), "a freshly issued licence must verify"
    keys = selectors.published_keys()
    today = date.today()
    offline_timing, offline = _timed(count, lambda i: verify_document(documents[i], keys, today))
    assert all(result.valid for result in offline)
    public, signature = issued[0].key.public_key, signer.sign(payloads[0])
    verify_timing, _ = _timed(
        count, lambda _i: verify_with_public_key(signer.algorithm, public, payloads[0], signature)
    )
    progress(
        f"  verify online {online_timing['per_s']:.1f}/s, offline "
        f"{offline_timing['per_s']:.1f}/s, signature only {verify_timing['per_s']:.1f}/s"
    )
    return {
        "algorithm": signer.algorithm,
        "count": count,
        "issue": issued_timing,
        "sign_only": sign_timing,
        "verify_online": online_timing,
        "verify_offline": offline_timing,
        "verify_only": verify_timing,
        "ratios": {
            "issue_vs_sign": issued_timing["per_s"] / sign_timing["per_s"],
            "verify_online_vs_verify_only": online_timing["per_s"] / verify_timing["per_s"],
            "verify_offline_vs_verify_only": offline_timing["per_s"] / verify_timing["per_s"],
        },
    }
