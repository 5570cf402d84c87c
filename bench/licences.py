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

Each measurement and its baseline run interleaved, call by call.
"""

from __future__ import annotations

import base64
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


def _interleaved(count: int, variants: dict[str, Callable[[int], Any]]) -> dict[str, list[Any]]:
    """Run the variants call by call (a shared machine's drift hits them alike); returns
    each variant's durations and results."""
    durations: dict[str, list[float]] = {name: [] for name in variants}
    results: dict[str, list[Any]] = {name: [] for name in variants}
    for index in range(count):
        for name, action in variants.items():
            started = time.perf_counter()
            results[name].append(action(index))
            durations[name].append(time.perf_counter() - started)
    return {name: [timing(durations[name]), results[name]] for name in variants}


def measure_licences(count: int, progress: Progress = print) -> dict[str, Any]:
    load_licence_types(lambda _line: None)
    licence_type = LicenceType.objects.get(name="营业执照")
    department = department_by_code(division_code="420100", code="scjg")
    assert department is not None
    # The first issuance makes the department key.
    signer = signer_for(_issue(licence_type, department.pk).key)
    issued: list[Licence] = []

    def issue(_index: int) -> Licence:
        issued.append(_issue(licence_type, department.pk))
        return issued[-1]

    def sign_only(index: int) -> bytes:
        return signer.sign(canonical_bytes(issued[index].payload))

    runs = _interleaved(count, {"issue": issue, "sign_only": sign_only})
    issued_timing, sign_timing = runs["issue"][0], runs["sign_only"][0]
    progress(
        f"  issued {count}: {issued_timing['per_s']:.1f}/s, sign only {sign_timing['per_s']:.1f}/s"
    )

    documents = [selectors.signed_of(licence) for licence in issued]
    keys = selectors.published_keys()
    today = date.today()
    public = issued[0].key.public_key
    raw = [base64.b64decode(d["signature"]["value"]) for d in documents]
    payloads = [canonical_bytes(d["licence"]) for d in documents]
    runs = _interleaved(
        count,
        {
            "verify_online": lambda i: services.licence_verify(documents[i]),
            "verify_offline": lambda i: verify_document(documents[i], keys, today),
            "verify_only": lambda i: verify_with_public_key(
                signer.algorithm, public, payloads[i], raw[i]
            ),
        },
    )
    assert all(r.valid for r in runs["verify_online"][1]), "fresh licences must verify"
    assert all(r.valid for r in runs["verify_offline"][1])
    assert all(runs["verify_only"][1])
    online_timing, offline_timing, verify_timing = (
        runs["verify_online"][0],
        runs["verify_offline"][0],
        runs["verify_only"][0],
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
