"""Demo participation: two drafts open for comment with moderated comments, a finished
consultation with its published feedback, a closed survey with generated responses and an
open survey. Dates are relative to today so that "open" stays open."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tongban.accounts.selectors import user_by_username
from tongban.org.selectors import department_by_code
from tongban.participation import selectors, services

Progress = Callable[[str], None]
SEED = 20260
RESPONSES = 72

OPEN_DRAFTS: list[dict[str, Any]] = [
    {
        "staff": "huanbao",
        "division": "420100",
        "department": "sthjj",
        "title": "《武汉市餐饮油烟污染防治管理办法（征求意见稿）》",
        "summary": (
            "为防治餐饮服务业油烟污染，改善城市人居环境，根据《中华人民共和国大气污染防治法》"
            "《湖北省大气污染防治条例》等规定，市生态环境局起草了本办法，现公开征求社会各界意见。"
        ),
        "body": (
            "第一条 为了防治餐饮油烟污染，保护和改善大气环境，保障公众健康，制定本办法。\n"
            "第二条 本市行政区域内餐饮服务经营者排放油烟的防治及其监督管理，适用本办法。\n"
            "第三条 新建、改建、扩建产生油烟的餐饮服务项目，应当设置专用烟道，"
            "不得在居民住宅楼、未配套设立专用烟道的商住综合楼以及商住综合楼内与居住层相邻的商业楼层内建设。\n"
            "第四条 餐饮服务经营者应当安装与其经营规模相匹配的油烟净化设施并保持正常使用，"
            "每季度至少清洗维护一次，建立清洗维护台账，保存期限不少于一年。\n"
            "第五条 中型以上餐饮服务经营者应当安装油烟在线监控设备，并与生态环境部门联网。\n"
            "第六条 禁止在城市道路、广场等公共场所露天烧烤食品或者为露天烧烤食品提供场地。\n"
            "第七条 违反本办法第四条规定的，由城市管理部门责令改正，依法处以罚款。\n"
            "第八条 本办法自 2027 年 3 月 1 日起施行。"
        ),
        "contact_phone": "027-85881234",
        "start": -10,
        "end": 20,
        "comments": [
            (
                "zhangsan",
                "第四条",
                "建议明确“每季度清洗一次”适用于哪些规模的商户，小吃店每季度请专业公司清洗负担较重，可否按排放量分级。",
                "approve",
            ),
            (
                "lisi",
                "第三条",
                "我家楼下的烧烤店没有专用烟道，油烟直接排到居民窗口，希望办法对已开业的商户也设置整改期限。",
                "approve",
            ),
            (
                "hbcanyin",
                "第五条",
                "在线监控设备的采购和联网费用建议由政府给予一定补贴，并公布符合要求的设备清单。",
                "approve",
            ),
            (
                "zhangsan",
                "",
                "支持出台，希望投诉渠道写进办法，接到投诉后多少个工作日内处理也应明确。",
                "pending",
            ),
            ("lisi", "", "某某饭店老板电话 13800000000，天天扰民！", "reject"),
        ],
    },
    {
        "staff": "xg-scjg",
        "division": "420900",
        "department": "scjg",
        "title": "《孝感市城市养犬管理规定（征求意见稿）》",
        "summary": (
            "为规范城市养犬行为，保障公民人身安全和身体健康，维护市容环境和社会秩序，"
            "会同公安、城管、农业农村等部门起草了本规定，现向社会公开征求意见。"
        ),
        "body": (
            "第一条 为了规范养犬行为，保障公民人身安全和身体健康，"
            "维护市容环境卫生和社会公共秩序，制定本规定。\n"
            "第二条 本规定适用于本市中心城区范围内的养犬及其相关管理活动。\n"
            "第三条 个人饲养犬只的，每户限养一只。饲养犬只应当按规定接种狂犬病疫苗并办理养犬登记。"
            "\n"
            "第四条 重点管理区内禁止饲养烈性犬、大型犬，"
            "禁养犬只目录由公安机关会同有关部门制定并公布。"
            "\n"
            "第五条 携犬出户时，应当为犬只佩戴犬牌，使用不超过 1.5 米的犬绳牵领，"
            "并及时清除犬只排泄物。\n"
            "第六条 禁止携犬进入学校、医院、机关办公场所、室内公共场所以及公共交通工具。\n"
            "第七条 养犬登记证有效期为一年，期满前三十日内应当办理延续登记。\n"
            "第八条 本规定自公布之日起施行。"
        ),
        "contact_phone": "0712-2851234",
        "start": -3,
        "end": 27,
        "comments": [
            (
                "lisi",
                "第三条",
                "每户限养一只对已经养了两只的家庭如何处理？建议设置过渡期，已登记的犬只可继续饲养。",
                "approve",
            ),
            (
                "zhangsan",
                "第五条",
                "建议增加夜间遛犬也需使用犬绳的规定，并在小区设置犬只便溺箱。",
                "approve",
            ),
            ("zhangsan", "第七条", "登记延续能否在网上办理，不用每年跑到派出所。", "pending"),
        ],
    },
]

PAST_DRAFT: dict[str, Any] = {
    "staff": "scjg-head",
    "division": "420100",
    "department": "scjg",
    "title": "《武汉市电动自行车销售和维修管理办法（征求意见稿）》",
    "summary": (
        "为加强电动自行车销售、维修环节安全管理，预防火灾事故，市市场监督管理局起草了本办法。"
    ),
    "body": (
        "第一条 为加强电动自行车销售和维修管理，保障人民群众生命财产安全，制定本办法。\n"
        "第二条 销售者不得销售不符合强制性国家标准的电动自行车及其蓄电池、充电器。\n"
        "第三条 维修经营者不得擅自改装电动自行车的限速装置、蓄电池和电气线路。\n"
        "第四条 销售者应当建立销售台账，如实记录车辆型号、合格证编号和购买者信息。\n"
        "第五条 本办法自公布之日起施行。"
    ),
    "contact_phone": "027-82701234",
    "start": -60,
    "end": -30,
    "feedback": (
        "征求意见期间共收到意见 4 条，经认真研究，采纳 1 条，部分采纳 2 条，未采纳 1 条。"
        "对销售台账记录内容作了精简，删除了与个人信息保护要求不一致的内容；"
        "对维修经营者的培训要求作了补充。感谢社会各界的关注和支持。"
    ),
    "comments": [
        (
            "zhangsan",
            "第四条",
            "销售台账记录购买者身份证号没有必要，建议只记录联系电话。",
            "adopted",
            "已删除记录身份证号的要求。",
        ),
        (
            "hbcanyin",
            "第三条",
            "建议对维修人员开展统一培训，持证上岗。",
            "partly",
            "已增加开展培训的规定，持证上岗需有上位法依据，暂不作要求。",
        ),
        (
            "lisi",
            "第二条",
            "建议同时规定以旧换新的补贴标准。",
            "not_adopted",
            "补贴标准不属于本办法调整范围，已转交商务部门研究。",
        ),
        (
            "lisi",
            "",
            "希望在社区设置更多集中充电设施。",
            "partly",
            "已在起草说明中提出建议，由相关部门统筹推进。",
        ),
    ],
}

CLOSED_SURVEY: dict[str, Any] = {
    "staff": "huanbao",
    "division": "420100",
    "department": "sthjj",
    "title": "2026 年武汉市生态环境公众满意度调查",
    "description": (
        "了解市民对本市空气、水环境和噪声治理的感受，调查结果将用于改进生态环境工作。匿名填写。"
    ),
    "questions": [
        {
            "kind": "scale",
            "text": "您对本市空气质量总体满意程度如何？",
            "scale_max": 5,
            "scale_low_label": "很不满意",
            "scale_high_label": "非常满意",
        },
        {
            "kind": "single",
            "text": "您认为本市当前最突出的环境问题是？",
            "choices": ["餐饮油烟", "噪声扰民", "河湖水质", "建筑扬尘", "垃圾处理"],
        },
        {
            "kind": "multiple",
            "text": "您希望优先加强哪些方面的治理？（最多选 3 项）",
            "choices": [
                "机动车尾气",
                "工业废气",
                "夜间施工噪声",
                "黑臭水体",
                "垃圾分类",
                "绿化建设",
            ],
            "min_choices": 1,
            "max_choices": 3,
        },
        {
            "kind": "single",
            "text": "您是否了解 12345 热线可以反映环境问题？",
            "choices": ["了解并使用过", "了解但没用过", "不了解"],
        },
        {
            "kind": "text",
            "text": "您对改善本市生态环境还有什么建议？",
            "required": False,
            "max_length": 300,
        },
    ],
}

OPEN_SURVEY: dict[str, Any] = {
    "staff": "scjg",
    "division": "420100",
    "department": "scjg",
    "title": "网络订餐食品安全状况问卷调查",
    "description": "市市场监督管理局开展网络订餐食品安全调查，请根据您的实际体验填写。",
    "questions": [
        {
            "kind": "single",
            "text": "您平均每周点外卖的次数？",
            "choices": ["不点", "1–2 次", "3–5 次", "6 次以上"],
        },
        {
            "kind": "scale",
            "text": "您对外卖食品卫生状况的满意程度？",
            "scale_max": 10,
            "scale_low_label": "很不满意",
            "scale_high_label": "非常满意",
        },
        {
            "kind": "multiple",
            "text": "您遇到过哪些问题？",
            "choices": ["餐品有异物", "包装破损", "商家无证照公示", "配送超时", "没有遇到"],
            "required": False,
        },
        {"kind": "text", "text": "其他意见和建议", "required": False, "max_length": 300},
    ],
}

SUGGESTIONS = [
    "希望加强夜间施工噪声的执法，晚上十点后还有施工。",
    "建议在东湖周边增加垃圾分类投放点。",
    "河道两岸的排污口要加强巡查。",
    "空气质量比前几年明显好转，点赞。",
    "建议公开重点企业的排放数据。",
]


def _department_id(spec: dict[str, Any]) -> int:
    department = department_by_code(division_code=spec["division"], code=spec["department"])
    if department is None:
        raise LookupError(f"demo department {spec['division']}/{spec['department']} missing")
    return department.pk


def _user(username: str) -> Any:
    user = user_by_username(username)
    if user is None:
        raise LookupError(f"demo account {username} missing")
    return user


def _open_draft(spec: dict[str, Any]) -> int:
    department_id = _department_id(spec)
    if selectors.solicitation_find(department_id=department_id, title=spec["title"]):
        return 0
    today = selectors.today()
    staff = _user(spec["staff"])
    item = services.solicitation_create(
        actor=staff,
        department_id=department_id,
        title=spec["title"],
        summary=spec["summary"],
        body=spec["body"],
        starts_on=today + timedelta(days=spec["start"]),
        ends_on=today + timedelta(days=spec["end"]),
        contact_phone=spec["contact_phone"],
    )
    for username, section, body, decision in spec["comments"]:
        comment = services.comment_submit(
            actor=_user(username), solicitation_id=item.pk, body=body, section=section
        )
        if decision != "pending":
            services.comment_moderate(
                actor=staff,
                comment_id=comment.pk,
                approve=decision == "approve",
                reason="" if decision == "approve" else "含有他人个人信息，不予公开",
            )
    return 1


def _past_draft(spec: dict[str, Any]) -> int:
    department_id = _department_id(spec)
    if selectors.solicitation_find(department_id=department_id, title=spec["title"]):
        return 0
    today = selectors.today()
    services.solicitation_import(
        actor=_user(spec["staff"]),
        department_id=department_id,
        title=spec["title"],
        summary=spec["summary"],
        body=spec["body"],
        starts_on=today + timedelta(days=spec["start"]),
        ends_on=today + timedelta(days=spec["end"]),
        contact_phone=spec["contact_phone"],
        comments=[services.PastComment(_user(u), s, b, a, r) for u, s, b, a, r in spec["comments"]],
        feedback_summary=spec["feedback"],
    )
    return 1


def _survey(spec: dict[str, Any], *, start: int, end: int) -> Any:
    department_id = _department_id(spec)
    if selectors.survey_find(department_id=department_id, title=spec["title"]):
        return None
    today = selectors.today()
    return services.survey_create(
        actor=_user(spec["staff"]),
        department_id=department_id,
        title=spec["title"],
        description=spec["description"],
        starts_on=today + timedelta(days=start),
        ends_on=today + timedelta(days=end),
        anonymous=True,
        questions=spec["questions"],
    )


def _random_answers(rng: random.Random, questions: list[Any]) -> dict[int, Any]:
    """Answers with a realistic skew: mostly satisfied, oil smoke and noise on top."""
    answers: dict[int, Any] = {}
    for q in questions:
        choices = list(q.choices.all())
        if q.kind == "scale":
            answers[q.pk] = rng.choices(range(1, 6), weights=[4, 8, 20, 40, 28])[0]
        elif q.kind == "single":
            weights = [35, 28, 15, 12, 10][: len(choices)] if len(choices) == 5 else [30, 45, 25]
            answers[q.pk] = rng.choices(choices, weights=weights)[0].pk
        elif q.kind == "multiple":
            picked = rng.sample(choices, k=rng.randint(1, 3))
            answers[q.pk] = [c.pk for c in picked]
        elif rng.random() < 0.3:
            answers[q.pk] = rng.choice(SUGGESTIONS)
    return answers


def _closed_survey() -> int:
    survey = _survey(CLOSED_SURVEY, start=-20, end=10)
    if survey is None:
        return 0
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    questions = selectors.survey_questions(survey)
    for index in range(RESPONSES):
        respondent = services.Respondent(None, f"demo-{index}", f"10.0.{index // 200}.{index}|demo")
        services.response_submit(
            survey_id=survey.pk, respondent=respondent, answers=_random_answers(rng, questions)
        )
    services.survey_close(actor=_user(CLOSED_SURVEY["staff"]), survey_id=survey.pk)
    return RESPONSES


def load_participation(progress: Progress) -> dict[str, int]:
    """Load the demo drafts and surveys; a second run creates, changes and audits nothing."""
    counts = {
        "open_drafts": sum(_open_draft(spec) for spec in OPEN_DRAFTS),
        "past_drafts": _past_draft(PAST_DRAFT),
        "survey_responses": _closed_survey(),
        "open_surveys": 1 if _survey(OPEN_SURVEY, start=-2, end=28) is not None else 0,
    }
    progress(
        f"  participation: {counts['open_drafts']} open drafts, {counts['past_drafts']} past, "
        f"{counts['survey_responses']} survey responses, {counts['open_surveys']} open survey"
    )
    return counts
