"""Loads the demo service catalog through the catalog services; idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongban.catalog.services import (
    bundle_upsert,
    implementation_upsert,
    item_upsert,
    materials_upsert,
)
from tongban.demo import catalog_data as cd
from tongban.demo import data

DEPARTMENT_NAMES = {code: name for code, name, _centre in data.CITY_DEPARTMENTS}


def blank_form_text(item: cd.DemoItem, material: cd.DemoMaterial) -> bytes:
    """A small printable blank form (plain UTF-8 text) listing the application's fields."""
    schema = item.schema()
    lines = [
        material.name,
        "=" * 24,
        f"事项：{item.name}（{item.code}）",
        "",
    ]
    required = set(schema["required"])
    for key, prop in schema["properties"].items():
        mark = "*" if key in required else " "
        lines.append(f"{mark} {prop['title']}：________________________")
    lines += [
        "",
        "（带 * 为必填项）",
        "申请人（签字/盖章）：____________    日期：____年__月__日",
        "",
        "本表为演示用空白表格，可在一网通办平台在线填写。",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def guide_text(item: cd.DemoItem, city: str) -> str:
    steps = ["网上申报或窗口提交材料", "窗口受理（材料齐全当场受理，不齐全一次性告知）"]
    if item.handling == "1":
        steps.append("当场审核办结")
    else:
        steps += ["部门审查", "负责人审批", "办结并送达结果（可选择邮寄）"]
    return "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1))


def load_catalog(progress: Callable[[str], None] = print) -> dict[str, int]:
    counts = {"items": 0, "implementations": 0, "materials": 0, "bundles": 0}
    implementations: dict[tuple[str, str], Any] = {}
    for item in cd.ITEMS:
        item_upsert(
            code=item.code,
            name=item.name,
            item_type=item.item_type,
            audience=item.audience,
            statutory_limit=item.statutory,
            promised_limit=item.promised,
            handling_type=item.handling,
            max_visits=item.visits,
            legal_basis=item.legal_basis,
            fee_free=not item.fees,
            fees=item.fees or "不收费",
            channels=list(item.channels),
            life_events=list(item.life_events),
            keywords=item.keywords,
            description=item.description or f"{item.name}的办事指南（演示数据）。",
            conditions=item.conditions,
            faq=[{"q": q, "a": a} for q, a in item.faq],
            result_name=item.result,
        )
        counts["items"] += 1
        for city in item.cities:
            address, phone = cd.WINDOWS[city]
            local = item.local.get(city, {})
            implementation = implementation_upsert(
                item_code=item.code,
                division_code=city,
                department_code=item.department,
                promised_limit=local.get("promised"),
                window_address=address.format(dept=DEPARTMENT_NAMES[item.department]),
                phone=phone,
                guide=guide_text(item, city),
                process_key=item.process_key,
                form_schema=item.schema(),
            )
            implementations[(item.code, city)] = implementation
            counts["implementations"] += 1
            specs = []
            for position, material in enumerate(item.materials, 1):
                blank = None
                if material.blank_form:
                    blank = (
                        f"catalog/forms/{city}/{item.code}-{position}.txt",
                        blank_form_text(item, material),
                    )
                specs.append(
                    {
                        "name": material.name,
                        "required": material.required,
                        "source": material.source,
                        "position": position,
                        "notes": material.notes,
                        "blank_form": blank,
                    }
                )
            materials_upsert(implementation=implementation, materials=specs)
            counts["materials"] += len(specs)
    bundle = cd.RESTAURANT_BUNDLE
    bundle_upsert(
        slug=bundle.slug,
        name=bundle.name,
        division_code=bundle.division,
        implementations=[implementations[(code, bundle.division)] for code in bundle.items],
        description=bundle.description,
        process_key=bundle.process_key,
        lead_department_code=bundle.lead_department,
        form_schema=cd.form_schema(f"{bundle.name}申请表", list(bundle.fields)),
    )
    counts["bundles"] += 1
    progress(
        f"  service catalog: {counts['items']} items, {counts['implementations']} "
        f"implementations, {counts['bundles']} life-event bundle"
    )
    return counts
