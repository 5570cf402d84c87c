"""Demo government information disclosure: the disclosure catalog, 100 publications
across kinds, divisions and departments (a few 依申请公开/不予公开 ones that must stay
hidden) and 10 information requests in various states. Idempotent: items are found by
their ``source_key`` and never created, changed or audited twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from tongban.accounts.selectors import user_by_username
from tongban.disclosure import services
from tongban.disclosure.selectors import publication_exists, request_exists
from tongban.org.selectors import department_by_code, division_get

Progress = Callable[[str], None]

# (code, name, parent code)
CATEGORIES = [
    ("jgzn", "机构职能", ""),
    ("jgsz", "机构设置", "jgzn"),
    ("ldxx", "领导信息", "jgzn"),
    ("fgwj", "法规文件", ""),
    ("gfxwj", "规范性文件", "fgwj"),
    ("zcjd", "政策解读", "fgwj"),
    ("ghjh", "规划计划", ""),
    ("czxx", "财政信息", ""),
    ("yjs", "部门预决算", "czxx"),
    ("xzxk", "行政许可", ""),
    ("tjxx", "统计信息", ""),
    ("tzgg", "通知公告", ""),
    ("gzdt", "工作动态", ""),
    ("shjz", "社会救助", ""),
]

# Division code -> (short name for document numbers, name prefix of titles)
PLACES = {
    "420100": ("武", "武汉市"),
    "420900": ("孝", "孝感市"),
    "429005": ("潜", "潜江市"),
    "420102": ("岸", "江岸区"),
    "420106": ("武昌", "武昌区"),
}
DEPT_SHORT = {"zsj": "政数", "scjg": "市监", "mzj": "民", "sthjj": "环", "wjw": "卫健"}
DEPT_SHORT |= {"jyj": "教", "rsj": "人社", "zjj": "建", "jtysj": "交", "xfzd": "消"}

# (kind, category, department, title after the place name, summary, body)
COMMON = [
    (
        "policy",
        "gfxwj",
        "scjg",
        "关于进一步规范食品小作坊登记管理的通知",
        "明确食品小作坊登记条件、办理流程和监督检查要求。",
        "为加强食品小作坊监督管理，保障食品安全，根据《湖北省食品安全条例》，现就食品小作坊登记管理有关事项通知如下：一、登记实行属地管理，由所在地市场监督管理部门负责。二、申请人应当具备与生产品种相适应的场所和设施。三、登记证有效期为三年。",
    ),
    (
        "interpretation",
        "zcjd",
        "scjg",
        "《关于进一步规范食品小作坊登记管理的通知》政策解读",
        "解读食品小作坊登记的适用范围、办理材料和时限。",
        "一、出台背景：近年来食品小作坊数量增长较快，部分作坊存在条件不达标的问题。二、主要内容：登记条件、办理流程、监督检查。三、办理时限：材料齐全的，10个工作日内办结。",
    ),
    (
        "notice",
        "tzgg",
        "scjg",
        "2026年食品安全监督抽检计划公告",
        "公布本年度食品安全监督抽检的品种、批次和时间安排。",
        "根据《食品安全抽样检验管理办法》，本年度计划抽检粮食加工品、食用油、肉制品、乳制品等28大类食品共计3200批次，抽检结果将及时向社会公布。",
    ),
    (
        "statistics",
        "tjxx",
        "scjg",
        "2026年第三季度市场主体发展情况",
        "第三季度新登记各类市场主体同比增长。",
        "截至9月底，全市实有各类市场主体较上年同期增长6.8%，其中企业增长8.2%，个体工商户增长5.9%。新设市场主体中，第三产业占比超过八成。",
    ),
    (
        "news",
        "gzdt",
        "scjg",
        "市场监管部门开展“双随机、一公开”联合检查",
        "联合多部门对重点领域开展随机抽查。",
        "近日，市场监管部门会同相关部门，对餐饮、药店、加油站等重点行业开展“双随机、一公开”联合抽查，共检查经营主体120户，发现问题已责令限期整改。",
    ),
    (
        "plan",
        "ghjh",
        "zsj",
        "2026年优化营商环境工作要点",
        "围绕“高效办成一件事”提出年度重点任务。",
        "一、深化“一网通办”，政务服务事项网上可办率保持在98%以上。二、推进“高效办成一件事”重点事项清单落地。三、完善“好差评”制度，差评整改率达到100%。四、加强电子证照应用。",
    ),
    (
        "notice",
        "tzgg",
        "zsj",
        "关于政务服务中心春节期间办公安排的公告",
        "公布春节期间窗口服务时间和网上办理渠道。",
        "春节假期期间，政务服务中心实体大厅暂停对外办公，网上办事大厅、移动端照常提供服务。节后第一个工作日起恢复正常办公，请办事群众合理安排时间。",
    ),
    (
        "news",
        "gzdt",
        "zsj",
        "“一网通办”平台上线企业开办全程网办服务",
        "企业开办实现一次申请、一日办结。",
        "近日，“一网通办”平台正式上线企业开办全程网办服务，申请人通过一张表单即可同时办理营业执照、公章刻制、税务登记和社保登记，平均办理时间压缩至一个工作日以内。",
    ),
    (
        "statistics",
        "tjxx",
        "zsj",
        "2026年10月政务服务“好差评”数据通报",
        "通报本月评价总量、好评率和差评整改情况。",
        "10月份共收到政务服务评价4.6万条，好评率99.2%。收到差评35条，已全部完成回访核实，整改完成率100%。",
    ),
    (
        "policy",
        "gfxwj",
        "mzj",
        "关于调整城乡居民最低生活保障标准的通知",
        "自2026年7月1日起提高城乡低保标准。",
        "经研究决定，自2026年7月1日起，城市居民最低生活保障标准由每人每月800元提高至850元，农村居民最低生活保障标准由每人每年7800元提高至8300元。各地要按时足额发放。",
    ),
    (
        "notice",
        "shjz",
        "mzj",
        "2026年第三季度城乡低保资金发放情况公示",
        "公示本季度低保对象户数、人数及发放金额。",
        "本季度全区共保障城乡低保对象，按时足额发放保障资金。资金发放实行社会化发放，直接打入保障对象“一卡通”账户。公示期为7天，如有异议请向民政部门反映。",
    ),
    (
        "news",
        "gzdt",
        "mzj",
        "民政部门开展冬季困难群众走访慰问",
        "走访慰问特困人员和低保家庭。",
        "入冬以来，民政部门组织工作人员深入社区，走访慰问特困供养人员、低保家庭和困境儿童，送去棉被、米油等生活物资，了解困难群众的实际需求。",
    ),
]

CITY = [
    (
        "policy",
        "gfxwj",
        "sthjj",
        "关于印发重污染天气应急预案的通知",
        "明确重污染天气预警分级和应急减排措施。",
        "为有效应对重污染天气，保障公众健康，制定本预案。预警分为黄色、橙色、红色三个级别，各级预警启动后，相关企业按照“一厂一策”落实减排措施。",
    ),
    (
        "statistics",
        "tjxx",
        "sthjj",
        "2026年10月环境空气质量状况",
        "公布本月空气质量优良天数比例和主要污染物浓度。",
        "10月份，全市环境空气质量优良天数比例为90.3%，PM2.5平均浓度为32微克/立方米，同比下降5.9%。",
    ),
    (
        "plan",
        "ghjh",
        "sthjj",
        "“十五五”生态环境保护规划（征求意见稿）",
        "公开征求对生态环境保护规划的意见。",
        "规划提出到2030年，全市空气质量持续改善，地表水国控断面水质优良比例保持稳定，土壤环境风险得到有效管控。欢迎社会各界提出意见建议。",
    ),
    (
        "notice",
        "tzgg",
        "wjw",
        "关于开展2026年秋冬季流感疫苗接种工作的通知",
        "部署秋冬季流感疫苗接种工作。",
        "各接种单位要合理安排接种门诊，优先为60岁以上老年人、慢性病患者、医务人员等重点人群接种。接种信息及时录入免疫规划信息系统。",
    ),
    (
        "statistics",
        "tjxx",
        "wjw",
        "2026年上半年卫生健康事业发展统计简报",
        "上半年医疗机构诊疗人次和床位使用情况。",
        "上半年，全市医疗卫生机构总诊疗人次同比增长4.1%，医院病床使用率为86.5%，家庭医生签约服务覆盖率进一步提高。",
    ),
    (
        "news",
        "gzdt",
        "wjw",
        "卫生健康部门推进“一码就医”服务",
        "电子健康码在全市公立医院实现通用。",
        "全市二级以上公立医院已全面实现电子健康码挂号、就诊、缴费、取药全流程应用，群众就医不再需要办理多张就诊卡。",
    ),
    (
        "notice",
        "tzgg",
        "jyj",
        "2026年义务教育阶段学校招生入学工作通知",
        "明确义务教育招生原则、时间安排和报名方式。",
        "义务教育阶段学校招生坚持免试就近入学原则。小学新生网上报名时间为6月10日至6月20日，报名需提供户口簿、房产证明等材料，可通过“一网通办”平台在线提交。",
    ),
    (
        "plan",
        "ghjh",
        "jyj",
        "学前教育发展提升行动计划（2026—2028年）",
        "提出普惠性幼儿园建设和保教质量提升目标。",
        "到2028年，全市学前三年毛入园率达到95%以上，普惠性幼儿园覆盖率达到90%以上，公办园在园幼儿占比达到55%以上。",
    ),
    (
        "policy",
        "gfxwj",
        "rsj",
        "关于做好高校毕业生就业创业工作的通知",
        "落实一次性吸纳就业补贴和创业担保贷款政策。",
        "对招用毕业年度高校毕业生并签订一年以上劳动合同的企业，按每人1500元给予一次性吸纳就业补贴。符合条件的高校毕业生创业可申请最高30万元创业担保贷款。",
    ),
    (
        "statistics",
        "tjxx",
        "rsj",
        "2026年第三季度城镇新增就业情况",
        "前三季度城镇新增就业和失业人员再就业情况。",
        "前三季度，全市城镇新增就业人数完成年度目标的86%，失业人员再就业和就业困难人员就业均超额完成序时进度。",
    ),
    (
        "news",
        "gzdt",
        "rsj",
        "人社部门举办“春风行动”专场招聘会",
        "百余家企业提供就业岗位。",
        "“春风行动”专场招聘会在人力资源市场举行，共有130家企业参会，提供制造、物流、服务等岗位4000余个，现场达成初步就业意向800余人。",
    ),
    (
        "policy",
        "gfxwj",
        "zjj",
        "关于规范住宅专项维修资金使用管理的通知",
        "简化维修资金应急使用流程。",
        "住宅共用部位、共用设施设备发生危及房屋安全等紧急情况需要立即维修的，可以按照应急程序使用专项维修资金，业主委员会或物业服务企业提出申请后3个工作日内完成审核。",
    ),
    (
        "notice",
        "tzgg",
        "zjj",
        "2026年老旧小区改造项目名单公示",
        "公示本年度纳入改造计划的老旧小区。",
        "根据各区申报和现场踏勘情况，拟将86个老旧小区纳入2026年改造计划，涉及居民2.3万户，公示期为7天。",
    ),
    (
        "news",
        "gzdt",
        "jtysj",
        "交通运输部门开通多条社区微循环公交线路",
        "方便居民“最后一公里”出行。",
        "为解决居民出行“最后一公里”问题，交通运输部门新开通社区微循环公交线路12条，串联地铁站、医院、学校和大型社区。",
    ),
    (
        "plan",
        "ghjh",
        "jtysj",
        "2026年城市道路交通综合治理工作方案",
        "提出缓解交通拥堵的重点措施。",
        "一、优化信号配时，提高主干道通行效率。二、推进停车设施建设，新增公共停车泊位1万个。三、加强公交优先，新增公交专用道30公里。",
    ),
    (
        "notice",
        "tzgg",
        "xfzd",
        "关于开展冬春火灾防控工作的通告",
        "部署冬春季火灾防控和消防安全检查。",
        "冬春季节天干物燥，用火用电用气增多，火灾风险上升。各单位要落实消防安全主体责任，开展隐患自查自改；居民家庭要注意电动自行车不进楼道、不入户充电。",
    ),
    (
        "news",
        "gzdt",
        "xfzd",
        "消防救援支队开展“119消防宣传月”活动",
        "进社区、进学校、进企业普及消防知识。",
        "“119消防宣传月”期间，消防救援支队组织开展消防宣传进社区、进学校、进企业活动200余场，发放宣传资料5万余份，组织疏散演练80余次。",
    ),
    (
        "statistics",
        "yjs",
        "zsj",
        "2026年部门预算公开",
        "公开本部门2026年收支预算总体情况。",
        "本部门2026年收入预算总计与支出预算总计平衡，其中基本支出主要用于保障机构正常运转，项目支出主要用于政务服务平台运维和数据共享交换体系建设。“三公”经费预算较上年下降。",
    ),
    (
        "news",
        "jgsz",
        "zsj",
        "政务服务和大数据管理局主要职责和内设机构",
        "公开本部门职责、内设机构和联系方式。",
        "主要职责：贯彻落实政务服务和数据管理工作的方针政策；统筹推进“一网通办”平台建设；负责政务数据资源的归集、共享和开放。内设机构：办公室、政务服务处、数据资源处、电子政务处。",
    ),
    (
        "policy",
        "xzxk",
        "scjg",
        "食品经营许可审查细则（2026年修订）",
        "明确食品经营许可的审查内容和现场核查要求。",
        "本细则适用于市场监督管理部门对食品经营许可申请的审查。仅销售预包装食品的，实行备案管理；从事餐饮服务的，应当对经营场所、设施设备和食品安全管理制度进行现场核查。",
    ),
]


def _dates(n: int, today: date) -> tuple[date, date]:
    """Spread the items over the past year, newest first; published three days later."""
    written = today - timedelta(days=5 + (n * 37) % 360)
    return written, written + timedelta(days=3)


def _items() -> list[tuple[str, str, tuple[str, ...]]]:
    """(division code, source key, template) for all 100 publications."""
    items: list[tuple[str, str, tuple[str, ...]]] = []
    for division in PLACES:
        items += [(division, f"d{division}-c{i:02d}", t) for i, t in enumerate(COMMON)]
    for division in ("420100", "420900"):
        items += [(division, f"d{division}-y{i:02d}", t) for i, t in enumerate(CITY)]
    return items


def _attribute(n: int) -> tuple[str, str]:
    # Every 11th item is disclosed on request only and every 23rd withheld: they exist in
    # the catalogue but must never appear publicly.
    if n % 23 == 7:
        return "withheld", "涉及内部管理事务信息，依据条例第十六条不予公开"
    if n % 11 == 5:
        return "on_request", ""
    return "active", ""


def _load_categories(progress: Progress) -> int:
    from tongban.disclosure.selectors import categories

    known = {c.code for c in categories()}
    created = 0
    for sort, (code, name, parent) in enumerate(CATEGORIES):
        if code not in known:
            services.category_upsert(code=code, name=name, parent_code=parent, sort=sort)
            created += 1
    progress(f"  disclosure categories: {created} new")
    return created


def _load_publications(progress: Progress, today: date) -> int:
    created = 0
    for n, (division, key, template) in enumerate(_items()):
        if publication_exists(key):
            continue
        kind, category, dept_code, title, summary, body = template
        department = department_by_code(division_code=division, code=dept_code)
        if department is None:
            continue
        short, place = PLACES[division]
        written, published = _dates(n, today)
        doc_number = ""
        if kind == "policy":
            doc_number = f"{short}{DEPT_SHORT[dept_code]}规〔{written.year}〕{n % 30 + 1}号"
        attribute, reason = _attribute(n)
        data = services.PublicationInput(
            department_id=department.pk,
            category_code=category,
            kind=kind,
            title=f"{place}{department.name}{title}" if kind != "news" else f"{place}{title}",
            body=body,
            summary=summary,
            written_on=written,
            attribute=attribute,
            withheld_reason=reason,
            doc_number=doc_number,
        )
        publication = services.publication_create(actor=None, data=data, source_key=key)
        services.publication_publish(
            actor=None, publication_id=publication.pk, published_on=published
        )
        created += 1
    progress(f"  disclosure publications: {created} new")
    return created


def _request(
    key: str, applicant: str, dept: str, description: str, form: str = "electronic"
) -> int | None:
    """Submit one demo request; None when it exists already."""
    if request_exists(key):
        return None
    user = user_by_username(applicant)
    department = department_by_code(division_code="420100", code=dept)
    if user is None or department is None:
        return None
    data = services.RequestInput(
        department_id=department.pk,
        description=description,
        form=form,
        phone="13800001234" if applicant == "zhangsan" else "13900005678",
        email=f"{applicant}@example.cn",
        address="武汉市江岸区沿江大道188号",
    )
    return services.request_submit(user=user, data=data, source_key=key).pk


def _staff(username: str) -> object:
    return user_by_username(username)


# (key, applicant, department, description, steps)
REQUESTS = [
    ("r01", "zhangsan", "scjg", "申请公开2026年本市食品安全监督抽检不合格产品的处理结果", []),
    ("r02", "lisi", "scjg", "申请公开本市2026年发放的食品经营许可证数量及分区统计", ["register:3"]),
    (
        "r03",
        "zhangsan",
        "sthjj",
        "申请公开我家附近工厂的环境影响评价文件",
        ["register:5", "correction:3"],
    ),
    (
        "r04",
        "hbcanyin",
        "scjg",
        "申请公开本市餐饮服务食品安全量化分级评定标准及2026年评定结果",
        ["register:25", "extend"],
    ),
    (
        "r05",
        "zhangsan",
        "scjg",
        "申请公开本市2026年度消费者投诉举报处理情况统计报告",
        ["register:40", "reply:disclosed"],
    ),
    (
        "r06",
        "hbcanyin",
        "scjg",
        "申请公开对本公司所在商圈餐饮企业的监督检查记录",
        ["register:38", "reply:partial"],
    ),
    (
        "r07",
        "lisi",
        "scjg",
        "申请公开市场监管局内部讨论食品抽检方案的会议纪要",
        ["register:36", "reply:withheld"],
    ),
    (
        "r08",
        "zhangsan",
        "xfzd",
        "申请公开本小区2015年消防验收的全部图纸资料",
        ["register:30", "reply:not_exist"],
    ),
    (
        "r09",
        "lisi",
        "scjg",
        "申请公开长江武汉段水质监测数据",
        ["register:-365", "reply:not_responsible"],
    ),
    ("r10", "zhangsan", "scjg", "申请公开本市电梯维保单位名录及2025年检验结果", ["register:60"]),
]
REPLIES = {
    "disclosed": ("予以公开，统计报告见附件。", "", "", ""),
    "partial": (
        "部分公开。检查结论予以公开，涉及其他企业商业秘密的内容不予公开。",
        "third_party",
        "",
        "",
    ),
    "withheld": ("该会议纪要属于过程性信息，依据条例第十六条不予公开。", "process", "", ""),
    "not_exist": ("经检索，本机关未制作或获取该信息。", "", "", ""),
    "not_responsible": ("该信息不属于本机关负责公开。", "", "武汉市生态环境局", ""),
}
STAFF = {"scjg": "scjg", "sthjj": "huanbao", "xfzd": "xiaofang"}


def _run_steps(request_id: int, dept: str, steps: list[str], today: date) -> None:
    received = today
    for step in steps:
        name, _sep, arg = step.partition(":")
        if name == "register":
            # A negative offset means "received in December of last year" (carried over).
            received = (
                date(today.year - 1, 12, 22) if arg.startswith("-") else today - timedelta(int(arg))
            )
            services.request_register(
                actor=_staff(STAFF[dept]), request_id=request_id, received_on=received
            )
        elif name == "correction":
            services.request_ask_correction(
                actor=_staff(STAFF[dept]),
                request_id=request_id,
                note="请写明工厂名称或具体地址，以及所需环评文件的项目名称。",
                today=received + timedelta(days=2),
            )
        elif name == "extend":
            services.request_extend(
                actor=_staff("scjg-head"),
                request_id=request_id,
                days=15,
                reason="申请内容涉及多个区的评定结果，需要汇总核实",
            )
        else:
            text, reason, agency, location = REPLIES[arg]
            reply = services.ReplyInput(arg, text, reason, agency, location)
            day = (
                received + timedelta(days=14)
                if received.year == today.year
                else date(today.year, 1, 12)
            )
            services.request_reply(
                actor=_staff(STAFF[dept]), request_id=request_id, data=reply, today=day
            )


def _load_requests(progress: Progress, today: date) -> int:
    created = 0
    for key, applicant, dept, description, steps in REQUESTS:
        request_id = _request(f"demo-{key}", applicant, dept, description)
        if request_id is None:
            continue
        _run_steps(request_id, dept, steps, today)
        created += 1
    progress(f"  disclosure requests: {created} new")
    return created


def load_disclosure(progress: Progress) -> dict[str, int]:
    """Load the demo disclosure data; returns the numbers of new rows."""
    division_get("420100")  # the demo divisions must be loaded first
    today = timezone.localdate()
    return {
        "categories": _load_categories(progress),
        "publications": _load_publications(progress, today),
        "requests": _load_requests(progress, today),
    }
