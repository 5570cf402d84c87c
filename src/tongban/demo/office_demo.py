"""Demo collaborative office (协同办公): issuing departments, documents in every state of
their route, supervised work items, notices, groups and meetings — all made through the
office services, as staff would.

Loading twice adds nothing: the documents of 武汉市市场监督管理局 are the marker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts.selectors import user_by_username
from tongban.cases import selectors as cases
from tongban.core.selectors import add_working_days
from tongban.demo import data
from tongban.office.selectors.clocks import working_days_before
from tongban.office.selectors.documents import documents_for, incoming_for, office_tasks_for
from tongban.office.selectors.internal import can_raise
from tongban.office.services import documents, groups, meetings, notices, workitems
from tongban.office.services.clocks import clock_start_for_task, step_clock_sweep
from tongban.office.services.internal import request_raise, request_reply
from tongban.office.services.issuers import issuer_profile_upsert
from tongban.org.selectors import department_by_code

Progress = Callable[[str], None]
Dept = tuple[str, str]

WH_SCJG: Dept = ("420100", "scjg")
WH_XFZD: Dept = ("420100", "xfzd")
WH_STHJJ: Dept = ("420100", "sthjj")
WH_ZSJ: Dept = ("420100", "zsj")
XG_SCJG: Dept = ("420900", "scjg")
HB_SCJG: Dept = ("420000", "scjg")
QJ_SCJG: Dept = ("429005", "scjg")

SAMPLE_PDF = b"%PDF-1.4\n% Tongban demo attachment\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# What a department says when it countersigns (会签) a document.
COUNTERSIGN_OPINIONS = {
    WH_XFZD: "同意。建议将疏散通道、消防设施和燃气管道检查列为检查重点。",
    WH_STHJJ: "同意。请将油烟净化设施运行记录和污染物排放情况纳入检查内容。",
    WH_SCJG: "同意会签，我局将按职责做好配合。",
}
CIRCULATION_READ = "已阅，请按批示抓好落实。"
# How far a receipt (收文) goes: the status it is left in, in route order.
RECEIPT_STEPS = ("pending", "registered", "proposed", "handling", "circulating", "filed")


def load_issuers(departments: dict[tuple[str, str], int], names: dict[str, str]) -> int:
    """An issuer profile for every department of the province and the cities (counties
    issue through their city in the demo)."""
    count = 0
    for (division, code), department_id in departments.items():
        short_division = data.DIVISION_SHORT.get(division)
        short_department = data.DEPARTMENT_SHORT.get(code)
        if short_division is None or short_department is None:
            continue
        full_name = names[division] + _department_name(division, code)
        issuer_profile_upsert(
            department_id=department_id,
            mark=f"{full_name}文件",
            number_prefix=f"{short_division}{short_department}发",
            receipt_prefix=f"{short_division}{short_department}收",
            seal_text=full_name,
        )
        count += 1
    return count


def _department_name(division: str, code: str) -> str:
    rows = data.PROVINCE_DEPARTMENTS if division.endswith("0000") else data.CITY_DEPARTMENTS
    return next(name for dept_code, name, _centre in rows if dept_code == code)


# ---------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class DocumentPlan:
    """One demo document and how far along its route it goes.

    ``stage`` is the step it waits at (draft, review, countersign, sign, issue) or
    ``dispatched``; ``refused`` refuses that step instead (退回, with ``note``);
    ``agreed`` countersigning departments agree before it stops at countersign; ``late``
    starts the waiting step's clock that many working days ago (a warned or overdue step);
    ``receipt`` is how far the staffed recipients take their receipt (收文) and ``read``
    whether it is circulated (``sent``) and read (``read``); ``direction`` is its 行文方向
    (``up`` for a report to a superior organ)."""

    title: str
    body: str
    stage: str
    drafter: str = "scjg"
    main: tuple[Dept, ...] = (XG_SCJG,)
    copy: tuple[Dept, ...] = ()
    countersign: tuple[Dept, ...] = ()
    classification: int = 0
    urgency: str = "normal"
    secrecy_period: str = ""
    direction: str = "down"
    refused: bool = False
    note: str = ""
    agreed: int = 0
    late: int = 0
    receipt: str = "pending"
    read: str = ""
    revision: str = ""
    attachment: str = ""


DOCUMENTS: tuple[DocumentPlan, ...] = (
    # ------------------------------------------------------------ dispatched (已分发)
    DocumentPlan(
        title="关于开展2026年春季食品安全专项检查的通知",
        body=(
            "为切实保障春季消费旺季食品安全，市局决定于4月至5月在全市开展"
            "食品安全专项检查。检查重点为农贸市场、大型商超、学校食堂及周边餐饮单位，"
            "重点查处无证经营、超范围经营和使用过期原料等违法行为。\n请各单位结合实际制定"
            "实施方案，于5月31日前将检查情况报送市局食品经营监管处。"
        ),
        stage="dispatched",
        copy=(WH_ZSJ,),
        receipt="filed",
        read="read",
        attachment="附件：食品安全专项检查记录表.pdf",
    ),
    DocumentPlan(
        title="关于联合开展餐饮场所燃气和消防安全隐患排查整治的通知",
        body=(
            "近期外地接连发生餐饮场所燃气爆炸事故，教训深刻。经商市消防救援"
            "支队，决定联合开展餐饮场所燃气和消防安全隐患排查整治。\n一、全面排查燃气管道、"
            "报警装置和灭火器材配备情况；二、督促经营者落实安全主体责任；三、对拒不整改的"
            "依法从严查处。"
        ),
        stage="dispatched",
        copy=(WH_XFZD,),
        countersign=(WH_XFZD,),
        urgency="urgent",
        receipt="handling",
    ),
    DocumentPlan(
        title="关于加强农贸市场计量器具监督管理的通知",
        body=(
            "为维护公平交易秩序，请各地对辖区农贸市场在用电子计价秤开展全面"
            "检定，推行“公平秤”设置，严厉查处改装作弊计量器具行为。\n检查中发现的问题应"
            "建立台账，限期整改。"
        ),
        stage="dispatched",
        receipt="proposed",
    ),
    DocumentPlan(
        title="关于做好特种设备安全监察工作的通知",
        body=(
            "请加强对电梯、锅炉、压力容器等特种设备的安全监察，督促使用单位"
            "落实定期检验和日常维护保养制度，对超期未检设备一律责令停止使用。"
        ),
        stage="dispatched",
        receipt="registered",
    ),
    DocumentPlan(
        title="关于进一步规范网络餐饮服务第三方平台经营行为的通知",
        body=(
            "请督促网络餐饮服务第三方平台严格审查入网餐饮服务提供者的许可"
            "资质，如实公示食品经营许可证和量化分级信息，及时处置消费者投诉举报。"
        ),
        stage="dispatched",
        receipt="pending",
    ),
    DocumentPlan(
        title="关于印发《武汉城市圈市场监管执法协作办法》的通知",
        body=(
            "现将《武汉城市圈市场监管执法协作办法》印发给你们，请认真贯彻"
            "执行。各地要建立案件线索移送、联合执法和信息共享机制，确保跨区域违法行为"
            "发现一起、查处一起。"
        ),
        stage="dispatched",
        main=(XG_SCJG, QJ_SCJG),
        receipt="circulating",
        read="sent",
    ),
    DocumentPlan(
        title="关于开展校园及周边食品安全联合整治的通知",
        body=(
            "新学期开学在即，请会同教育部门对学校食堂、校外供餐单位和校园"
            "周边食品经营者开展拉网式检查，重点检查从业人员健康证明、食品留样和进货查验"
            "记录。\n本通知内部传达，不得对外公开。"
        ),
        stage="dispatched",
        classification=1,
    ),
    DocumentPlan(
        title="关于餐饮服务单位油烟污染和餐厨废弃物联合执法检查情况的通报",
        body=(
            "3月份，市市场监管局会同市生态环境局对全市312家餐饮服务单位开展"
            "联合执法检查，发现油烟净化设施未正常运行27家、餐厨废弃物未交有资质单位处置"
            "15家，均已责令整改。现将有关情况通报如下，请各地举一反三，抓好整改落实。"
        ),
        stage="dispatched",
        countersign=(WH_STHJJ,),
        receipt="circulating",
    ),
    DocumentPlan(
        title="关于报送2026年一季度市场主体登记情况的报告",
        body=(
            "2026年一季度，我市新设立各类市场主体4.2万户，同比增长"
            "6.8%，其中企业1.3万户。“一网通办”企业开办全流程压缩至1个工作日以内。"
            "\n特此报告。"
        ),
        stage="dispatched",
        main=(HB_SCJG,),
        direction="up",
    ),
    DocumentPlan(
        title="关于商请协助核查跨区域经营企业登记信息的函",
        body=(
            "我局在日常监管中发现，部分在孝感市经营的企业登记"
            "住所位于武汉市，存在通过登记的住所无法联系的情况。为依法处置，商请贵局协助"
            "核查附件所列12户企业的登记信息，并于15个工作日内函复。"
        ),
        stage="dispatched",
        drafter="xg-scjg-head",
        main=(WH_SCJG,),
        receipt="filed",
    ),
    DocumentPlan(
        title="关于开展大型商业综合体消防安全检查的通知",
        body=(
            "为预防和遏制群死群伤火灾事故，支队决定对全市大型商业综合体开展"
            "消防安全检查，重点检查疏散通道、防火分隔、自动消防设施和微型消防站建设情况。"
            "请市场监管部门配合核查商户经营资质。"
        ),
        stage="dispatched",
        drafter="xfzd-head",
        main=(WH_SCJG,),
        copy=(WH_ZSJ,),
        countersign=(WH_SCJG,),
        receipt="proposed",
    ),
    DocumentPlan(
        title="关于开展夏季臭氧污染防控涉VOCs企业执法检查的通知",
        body=(
            "入夏以来我市臭氧浓度持续偏高。请各单位对汽修、印刷、家具制造等"
            "涉挥发性有机物企业开展执法检查，督促落实治理设施运行和台账管理要求。"
        ),
        stage="dispatched",
        drafter="sthjj-head",
        main=(WH_SCJG, WH_XFZD),
        receipt="registered",
    ),
    DocumentPlan(
        title="关于节假日期间加强价格监督检查的通知",
        body=(
            "“五一”假期临近，请加强对景区、交通站点周边餐饮住宿和商超的价格"
            "监督检查，严厉查处哄抬价格、价格欺诈和不明码标价等违法行为，畅通12315投诉"
            "举报渠道。"
        ),
        stage="dispatched",
        urgency="extra_urgent",
        receipt="handling",
    ),
    # ------------------------------------------------------------ 编号用印分发 (issuing)
    DocumentPlan(
        title="关于开展电动自行车及充电器产品质量监督抽查的通知",
        body=(
            "为消除电动自行车火灾隐患，市局决定对生产、销售环节的电动自行车、"
            "充电器和锂离子蓄电池开展产品质量监督抽查，抽查结果将向社会公布。"
        ),
        stage="issue",
        countersign=(WH_XFZD,),
    ),
    DocumentPlan(
        title="关于公布2026年度食品安全抽检计划的通知",
        body=(
            "现将《武汉市2026年度食品安全抽检计划》予以公布。全年计划抽检"
            "食品样品1.2万批次，覆盖粮食加工品、肉制品、乳制品等32个食品大类。"
        ),
        stage="issue",
        main=(XG_SCJG, WH_ZSJ),
    ),
    # ------------------------------------------------------------ 签发 (signing)
    DocumentPlan(
        title="关于开展加油站计量作弊专项整治的通知",
        body=(
            "请对辖区加油站加油机开展全覆盖检定和突击检查，重点查处安装作弊"
            "装置、破坏计量封印等违法行为，涉嫌犯罪的依法移送公安机关。"
        ),
        stage="sign",
    ),
    DocumentPlan(
        title="关于建立企业环境信用与市场主体信用联合惩戒机制的意见",
        body=(
            "为推进社会信用体系建设，市市场监管局与市生态环境局就企业环境"
            "信用评价结果共享和联合惩戒达成一致意见：环境信用评价为“黑名单”的企业，依法"
            "列入经营异常名录并在招投标、评优评先中予以限制。"
        ),
        stage="sign",
        countersign=(WH_STHJJ,),
    ),
    DocumentPlan(
        title="关于进一步加强冷链食品安全监管的通知",
        body=(
            "请严格落实进口冷链食品追溯管理制度，督促冷库经营者建立出入库"
            "台账，对无合法来源证明的冷链食品一律依法查扣。"
        ),
        stage="sign",
        urgency="urgent",
    ),
    # ------------------------------------------------------------ 会签 (countersigning)
    DocumentPlan(
        title="关于联合开展人员密集场所消防安全和食品安全检查的通知",
        body=(
            "为做好重大活动期间安全保障，拟由市市场监管局、市消防救援支队、"
            "市生态环境局联合对商场、宾馆、影剧院等人员密集场所开展消防安全和食品安全"
            "检查，检查结果纳入经营者信用记录。"
        ),
        stage="countersign",
        countersign=(WH_XFZD, WH_STHJJ),
        urgency="urgent",
        late=6,
    ),
    DocumentPlan(
        title="关于开展餐饮油烟净化设施专项检查的通知",
        body=(
            "针对群众反映集中的餐饮油烟扰民问题，拟联合开展餐饮油烟净化设施"
            "专项检查，对未安装或不正常使用净化设施的依法责令改正。"
        ),
        stage="countersign",
        countersign=(WH_STHJJ,),
        late=7,
    ),
    DocumentPlan(
        title="关于加强危险化学品经营单位安全监管的通知",
        body=(
            "请加强对危险化学品经营单位的日常监管，核查经营许可证件、储存"
            "场所和应急处置措施，严禁在居民区违规储存危险化学品。"
        ),
        stage="countersign",
        countersign=(WH_XFZD, WH_STHJJ),
        agreed=1,
        late=5,
    ),
    DocumentPlan(
        title="关于开展老旧小区电动自行车充电设施消防安全整治的通知",
        body=(
            "请配合消防部门排查老旧小区电动自行车“飞线充电”、楼道停放充电等"
            "隐患，推动集中充电设施建设，对销售不合格充电器的经营者依法查处。"
        ),
        stage="countersign",
        countersign=(WH_XFZD,),
        late=2,
    ),
    DocumentPlan(
        title="关于开展生态环境监测机构和计量认证联合检查的通知",
        body=(
            "为提升环境监测数据质量，拟联合开展生态环境监测机构资质认定和"
            "计量认证检查，严厉打击监测数据弄虚作假行为。"
        ),
        stage="countersign",
        countersign=(WH_STHJJ,),
    ),
    DocumentPlan(
        title="关于做好汛期食品安全和环境卫生保障工作的通知",
        body=(
            "汛期将至，请做好受灾群众集中安置点食品安全保障，加强饮用水源和"
            "环境卫生监测，储备必要的应急物资。"
        ),
        stage="countersign",
        countersign=(WH_STHJJ, WH_XFZD),
        agreed=1,
    ),
    # ------------------------------------------------------------ 核稿 (reviewing)
    DocumentPlan(
        title="关于开展眼镜制配场所计量监督检查的通知",
        body=(
            "请对辖区眼镜制配场所使用的验光仪、焦度计等强制检定计量器具开展"
            "监督检查，督促经营者按期送检。"
        ),
        stage="review",
    ),
    DocumentPlan(
        title="关于规范商品房销售明码标价的通知",
        body=(
            "请督促房地产开发企业和中介机构在销售现场醒目位置公示一房一价，"
            "不得在标价之外加价销售或收取未标明的费用。"
        ),
        stage="review",
        drafter="scjg-hegao",
    ),
    DocumentPlan(
        title="关于开展高层建筑消防设施维护保养情况检查的通知",
        body=(
            "请对高层住宅和公共建筑的自动喷水灭火系统、消火栓系统和防排烟"
            "系统维护保养情况开展检查，督促物业服务企业落实消防安全责任。"
        ),
        stage="review",
        drafter="xfzd-head",
        main=(WH_SCJG,),
    ),
    # ------------------------------------------------------------ 退回修改 (returned)
    DocumentPlan(
        title="关于开展美容美发行业预付卡消费专项整治的通知",
        body=(
            "针对预付卡“办卡容易退卡难”问题，请对美容美发、健身等行业开展"
            "专项整治，督促经营者签订书面合同。"
        ),
        stage="review",
        refused=True,
        note="请补充整治的法律依据和时间安排，并明确各单位职责分工。",
    ),
    DocumentPlan(
        title="关于联合开展建筑工地扬尘污染和渣土运输检查的通知",
        body=(
            "拟联合对建筑工地扬尘污染防治措施落实情况和渣土运输车辆开展检查，对违规企业依法处罚。"
        ),
        stage="countersign",
        countersign=(WH_STHJJ,),
        refused=True,
        note="建筑工地扬尘和渣土运输主要由住建、城管部门监管，建议调整牵头单位后再会签。",
    ),
    DocumentPlan(
        title="关于调整食品经营许可审查要点的通知",
        body=(
            "根据新修订的《食品经营许可和备案管理办法》，现对食品经营许可现场核查要点作如下调整。"
        ),
        stage="sign",
        refused=True,
        note="调整内容须与省局最新文件衔接，请核对后重新报签。",
    ),
    # ------------------------------------------------------------ 拟稿 (drafts)
    DocumentPlan(
        title="关于开展2026年“3·15”国际消费者权益日宣传活动的方案",
        body=(
            "一、活动主题：共促消费公平。\n二、活动时间：3月10日至3月20日。\n三、活动内容："
            "集中开展消费维权咨询、发布典型案例、组织放心消费承诺。"
        ),
        stage="draft",
        revision="补充活动分工和经费安排",
    ),
    DocumentPlan(
        title="关于加强直播带货领域广告监管的通知",
        body=("请加强对直播带货广告的监测，重点查处虚假宣传、夸大功效和未标明广告等违法行为。"),
        stage="draft",
        attachment="附件：直播营销违法广告典型案例.pdf",
    ),
    DocumentPlan(
        title="关于近期一起跨区域食品安全事件调查处置情况的报告",
        body=(
            "近期我市发生一起涉及多个区的食品安全事件，经初步调查，系某食品"
            "生产企业违规使用添加剂所致。现将调查处置进展报告如下。"
        ),
        stage="draft",
        drafter="scjg-head",
        main=(WH_ZSJ,),
        classification=2,
        secrecy_period="1年",
        urgency="urgent",
    ),
    DocumentPlan(
        title="关于开展小餐饮备案管理改革试点的请示",
        body=("为降低小餐饮准入门槛，拟在江岸区、武昌区开展小餐饮备案管理改革试点。妥否，请批示。"),
        stage="draft",
        drafter="scjg-hegao",
        main=(WH_ZSJ,),
    ),
)


@dataclass(frozen=True)
class WorkItemPlan:
    """One demo work item (督办事项): assigned ``started`` working days ago with its
    deadline ``deadline`` working days from today (negative: past, so it is overdue);
    ``reports`` are (department, percent, text); ``evaluation`` closes it."""

    assigner: str
    title: str
    description: str
    departments: tuple[Dept, ...]
    started: int
    deadline: int
    reports: tuple[tuple[Dept, int, str], ...] = ()
    evaluation: int = 0
    comment: str = ""
    document: str = ""


WORK_ITEMS: tuple[WorkItemPlan, ...] = (
    WorkItemPlan(
        assigner="wh-lingdao",
        title="大型商业综合体消防安全隐患整改",
        description="对排查发现的消防安全隐患逐项建立台账，限期整改到位，整改情况每周报送。",
        departments=(WH_XFZD, WH_SCJG),
        started=25,
        deadline=-3,
        reports=((WH_XFZD, 60, "已完成18家综合体复查，6家整改未到位，已下达责令整改通知书。"),),
        document="关于开展大型商业综合体消防安全检查的通知",
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="长江干流入河排污口排查整治",
        description="完成长江干流武汉段入河排污口“查、测、溯、治”，年底前完成整治任务的80%。",
        departments=(WH_STHJJ,),
        started=30,
        deadline=-5,
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="重点行业领域安全生产大检查",
        description="围绕燃气、消防、特种设备等重点领域开展安全生产大检查，形成问题清单和整改清单。",
        departments=(WH_XFZD, WH_SCJG, WH_STHJJ),
        started=20,
        deadline=-2,
        reports=(
            (WH_SCJG, 80, "已检查特种设备使用单位426家，整改隐患113处。"),
            (WH_STHJJ, 100, "涉危险废物企业检查全部完成，问题已整改销号。"),
        ),
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="校园食品安全守护行动",
        description="开学前完成全市中小学校食堂全覆盖检查，建立“一校一档”。",
        departments=(WH_SCJG,),
        started=10,
        deadline=1,
        reports=((WH_SCJG, 70, "已检查学校食堂612所，覆盖率85%。"),),
    ),
    WorkItemPlan(
        assigner="scjg-head",
        title="12345热线市场监管类诉求办理质效提升",
        description="压缩诉求办理时限，按期办结率达到98%以上，群众满意率不低于95%。",
        departments=(WH_SCJG, WH_ZSJ),
        started=8,
        deadline=2,
        reports=((WH_ZSJ, 50, "已完成热线工单分类规则调整，市场监管类工单直派到局。"),),
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="“一网通办”高频事项材料精简",
        description="梳理企业和群众办事高频事项，申请材料平均精简30%以上，能共享的材料一律免交。",
        departments=(WH_ZSJ,),
        started=40,
        deadline=-10,
        reports=((WH_ZSJ, 100, "完成200项高频事项梳理，申请材料平均精简34%。"),),
        evaluation=4,
        comment="按期高质量完成，精简成效明显。",
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="餐饮油烟扰民投诉集中整治",
        description="对近一年群众反复投诉的餐饮油烟扰民点位逐一整治，做到动态清零。",
        departments=(WH_STHJJ, WH_SCJG),
        started=35,
        deadline=-8,
        reports=(
            (WH_STHJJ, 100, "87个投诉点位全部完成整治并回访。"),
            (WH_SCJG, 100, "配合核查餐饮单位经营资质，注销无证经营户9家。"),
        ),
        evaluation=3,
        comment="整治基本到位，需巩固成效、防止反弹。",
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="秋冬季大气污染防治攻坚",
        description="落实秋冬季大气污染防治攻坚方案，PM2.5平均浓度同比下降5%。",
        departments=(WH_STHJJ,),
        started=45,
        deadline=-15,
        reports=((WH_STHJJ, 100, "攻坚期PM2.5平均浓度同比下降3.1%，未完全达到目标。"),),
        evaluation=2,
        comment="目标未完全完成，请总结原因并纳入下一年度计划。",
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="电动自行车充电设施安全整治",
        description="年内新建集中充电设施2000处，老旧小区“飞线充电”问题基本清零。",
        departments=(WH_XFZD,),
        started=5,
        deadline=30,
        reports=((WH_XFZD, 20, "已完成老旧小区摸底，确定首批建设点位310处。"),),
    ),
    WorkItemPlan(
        assigner="lingdao",
        title="武汉城市圈市场监管执法协作落实",
        description="建立跨区域案件线索移送和联合执法机制，每季度报送协作案件办理情况。",
        departments=(WH_SCJG, XG_SCJG),
        started=12,
        deadline=40,
        reports=(
            (WH_SCJG, 40, "已与孝感市局互移案件线索5条，联合查处1起。"),
            (XG_SCJG, 30, "已明确联络员，建立线索移送台账。"),
        ),
    ),
    WorkItemPlan(
        assigner="lingdao",
        title="食品生产企业风险分级管理全覆盖",
        description="完成辖区全部食品生产企业风险等级评定，并据此确定检查频次。",
        departments=(XG_SCJG,),
        started=15,
        deadline=1,
    ),
    WorkItemPlan(
        assigner="wh-lingdao",
        title="农贸市场提档升级改造",
        description="年内完成30个农贸市场提档升级改造，同步推行智慧计量和食品快检。",
        departments=(WH_SCJG, WH_ZSJ),
        started=3,
        deadline=60,
    ),
)

# (publisher, title, body, departments (empty: the whole division), readers)
NOTICES: tuple[tuple[str, str, str, tuple[Dept, ...], tuple[str, ...]], ...] = (
    (
        "wh-lingdao",
        "关于做好2026年清明节假期值班值守工作的通知",
        "各单位：\n清明节假期间，请严格落实领导带班和24小时值班制度，值班人员保持通讯畅通，"
        "遇有突发事件及时报告。值班表请于4月2日前报市政府办公厅。",
        (),
        ("scjg", "scjg-head", "xiaofang", "huanbao", "jiancha"),
    ),
    (
        "scjg-head",
        "关于召开全市食品安全工作会议的通知",
        "定于下周三上午9:30在市民之家三楼第一会议室召开全市食品安全工作会议，请各单位"
        "分管负责同志参加，并准备书面交流材料。",
        (WH_SCJG, WH_XFZD, WH_STHJJ),
        ("scjg", "scjg-hegao", "xiaofang"),
    ),
    (
        "scjg-head",
        "关于调整局机关公文处理流程的通知",
        "自即日起，局机关发文一律通过协同办公系统流转，核稿、会签、签发全程留痕，纸质"
        "文件不再另行传递。",
        (WH_SCJG,),
        ("scjg",),
    ),
    (
        "xfzd-head",
        "关于组织开展全员消防安全培训的通知",
        "各单位：\n请于本月内组织全体工作人员参加消防安全培训，掌握灭火器使用和疏散逃生"
        "技能，培训签到表报支队防火监督处。",
        (),
        ("xiaofang",),
    ),
    (
        "xg-scjg-head",
        "关于开展机关作风建设月活动的通知",
        "局机关各科室：\n为进一步转变工作作风、提升服务效能，决定在全局开展作风建设月"
        "活动，请各科室对照问题清单认真查摆整改。",
        (XG_SCJG,),
        ("xg-scjg",),
    ),
)

# (creator, name, kind, members (empty: the department's staff), messages, shared file)
GROUPS: tuple[tuple[str, str, str, tuple[str, ...], tuple[tuple[str, str], ...], str], ...] = (
    (
        "scjg-head",
        "武汉市市场监管局机关工作群",
        "department",
        (),
        (
            ("scjg-head", "各位同事，本周五前请把一季度工作总结发到群里。"),
            ("scjg", "收到，食品经营监管处的总结周四前发。"),
            ("scjg-hegao", "收到。另提醒：核稿环节的时限是1个工作日，请大家及时处理待办。"),
            ("scjg", "一季度工作总结初稿已上传，请审阅。"),
        ),
        "一季度工作总结（初稿）.pdf",
    ),
    (
        "wh-lingdao",
        "全市餐饮场所安全联合整治专班",
        "project",
        ("scjg-head", "scjg", "xfzd-head", "xiaofang", "sthjj-head", "huanbao", "jiancha"),
        (
            ("wh-lingdao", "专班今天成立，请各成员单位明确一名联络员，每周一报送整治进展。"),
            ("xfzd-head", "消防支队联络员为陈消防，已开始燃气隐患排查。"),
            ("sthjj-head", "生态环境局联络员为赵环保，重点负责油烟净化设施检查。"),
            ("scjg", "市场监管局已梳理全市餐饮单位名录共2.3万家，可按区分发。"),
            ("jiancha", "电子监察将跟踪各单位会签和督办时限，超期事项会在督查页面提示。"),
        ),
        "",
    ),
)


# ---------------------------------------------------------------------------- loading


def load_office(progress: Progress) -> dict[str, int]:
    """Documents, receipts, work items, notices, groups, meetings and (when the sample
    cases exist) requests from a case; nothing when the documents are already there."""
    drafter = _user("scjg")
    if documents_for(drafter, size=1).items:
        progress("  office: already there")
        return {}
    counts = {"office_documents": 0, "office_receipts": 0}
    titles: dict[str, int] = {}
    for plan in DOCUMENTS:
        document_id, receipts = _document(plan)
        titles[plan.title] = document_id
        counts["office_documents"] += 1
        counts["office_receipts"] += receipts
    swept = step_clock_sweep()
    progress(
        f"  office documents: {counts['office_documents']}, receipts handled: "
        f"{counts['office_receipts']}, overdue steps: {swept['red']}, warned: {swept['yellow']}"
    )
    counts["office_work_items"] = _work_items(titles)
    progress(f"  supervised work items: {counts['office_work_items']}")
    counts["office_notices"] = _notices()
    counts["office_groups"] = _groups()
    counts["office_meetings"] = _meetings()
    counts["office_requests"] = _requests()
    progress(
        f"  notices: {counts['office_notices']}, groups: {counts['office_groups']}, "
        f"meetings: {counts['office_meetings']}, requests from cases: {counts['office_requests']}"
    )
    return counts


def _user(username: str) -> Any:
    user = user_by_username(username)
    if user is None:
        raise LookupError(f"demo account {username} is missing")
    return user


def _department_id(dept: Dept) -> int:
    department = department_by_code(division_code=dept[0], code=dept[1])
    if department is None:
        raise LookupError(f"demo department {dept} is missing")
    return int(department.pk)


def _department_of(username: str) -> Dept:
    return next((div, code) for name, _n, div, code, _role in data.STAFF if name == username)


def _staff(dept: Dept, role: str, *, other_than: str = "") -> str | None:
    """The first demo account holding ``role`` in ``dept`` (but ``other_than``)."""
    return next(
        (
            name
            for name, _n, div, code, grant in data.STAFF
            if (div, code) == dept and grant == role and name != other_than
        ),
        None,
    )


def _required_staff(dept: Dept, role: str, *, other_than: str = "") -> str:
    found = _staff(dept, role, other_than=other_than)
    if found is None:
        raise LookupError(f"no demo {role} in {dept}")
    return found


def _complete(
    username: str,
    *,
    document_id: int | None = None,
    receipt_id: int | None = None,
    decision: str = "approve",
    comment: str = "",
    handling: Sequence[int] | None = None,
) -> None:
    """Do the user's open step on the document or receipt from their inbox."""
    user = _user(username)
    tasks = office_tasks_for(user, document_id=document_id, receipt_id=receipt_id)
    if not tasks:
        raise LookupError(f"{username} has no office task on {document_id or receipt_id}")
    documents.office_task_complete(
        user=user,
        task_id=tasks[0].task_id,
        decision=decision,
        comment=comment,
        handling_department_ids=handling,
    )


def _backdate_clocks(username: str, document_id: int, working_days: int) -> None:
    """Start the clocks of the user's waiting steps as if the step had come in
    ``working_days`` ago: the sweep then warns or marks them overdue as it would have."""
    started = working_days_before(timezone.localdate(), working_days)
    for task in office_tasks_for(_user(username), document_id=document_id):
        clock_start_for_task(task_id=task.task_id, today=started)


def _attach(username: str, document_id: int, name: str) -> None:
    upload = SimpleUploadedFile(name, SAMPLE_PDF, "application/pdf")
    documents.attachment_add(user=_user(username), document_id=document_id, upload=upload)


def _document(plan: DocumentPlan) -> tuple[int, int]:
    """Create the document and take it as far as its plan says; returns its id and how
    many of its receipts were handled."""
    issuer = _department_of(plan.drafter)
    document = documents.document_create(
        user=_user(plan.drafter),
        title=plan.title,
        body=plan.body,
        main_recipient_ids=[_department_id(d) for d in plan.main],
        copy_recipient_ids=[_department_id(d) for d in plan.copy],
        countersign_department_ids=[_department_id(d) for d in plan.countersign],
        classification=plan.classification,
        urgency=plan.urgency,
        secrecy_period=plan.secrecy_period,
        direction=plan.direction,
    )
    if plan.revision:
        documents.document_update(
            user=_user(plan.drafter),
            document_id=document.pk,
            body=f"{plan.body}\n四、工作要求：各单位明确专人负责，活动经费按规定从部门预算列支。",
            note=plan.revision,
        )
    if plan.attachment:
        _attach(plan.drafter, document.pk, plan.attachment)
    if plan.stage == "draft":
        return document.pk, 0
    documents.document_submit(user=_user(plan.drafter), document_id=document.pk)
    reviewer = _required_staff(issuer, "reviewer", other_than=plan.drafter)
    head = _required_staff(issuer, "head")
    steps = (
        ("review", reviewer, "文稿规范，同意报签。"),
        ("countersign", "", ""),
        ("sign", head, "同意印发。"),
        ("issue", reviewer, "已编号用印，按主送、抄送机关分发。"),
    )
    for step, username, comment in steps:
        waiting = plan.stage == step
        if step == "countersign":
            if not _countersign(plan, document.pk, waiting=waiting):
                return document.pk, 0
            continue
        if waiting and plan.refused:
            _complete(username, document_id=document.pk, decision="reject", comment=plan.note)
            return document.pk, 0
        if waiting:
            if plan.late:
                _backdate_clocks(username, document.pk, plan.late)
            return document.pk, 0
        _complete(username, document_id=document.pk, comment=comment)
    return document.pk, _receipts(plan, document.pk)


def _countersign(plan: DocumentPlan, document_id: int, *, waiting: bool) -> bool:
    """The countersigning departments' heads sign in parallel; False when the document
    stops here (waiting, or refused)."""
    for index, dept in enumerate(plan.countersign):
        head = _required_staff(dept, "head")
        if waiting and index >= plan.agreed:
            if plan.refused:
                _complete(head, document_id=document_id, decision="reject", comment=plan.note)
                return False
            if plan.late:
                _backdate_clocks(head, document_id, plan.late)
            continue
        _complete(head, document_id=document_id, comment=COUNTERSIGN_OPINIONS[dept])
    return not waiting


def _receipts(plan: DocumentPlan, document_id: int) -> int:
    """Take the receipts of the main recipients that have demo staff as far as planned."""
    handled = 0
    target = RECEIPT_STEPS.index(plan.receipt)
    for dept in plan.main:
        clerk = _staff(dept, "reviewer")
        head = _staff(dept, "head")
        if clerk is None or head is None or target == 0:
            continue
        receipt_id = next(
            r.pk for r in incoming_for(_user(clerk)).items if r.document_id == document_id
        )
        _receipt(receipt_id, clerk, head, _department_id(dept), target, plan.read)
        handled += 1
    return handled


def _receipt(receipt_id: int, clerk: str, head: str, dept_id: int, target: int, read: str) -> None:
    """登记 -> 拟办 -> 批示 -> 承办 -> 归档 until the receipt is in status
    ``RECEIPT_STEPS[target]``; circulated (传阅) to the head once registered if ``read``."""
    _complete(clerk, receipt_id=receipt_id)
    if read:
        documents.receipt_circulate(
            user=_user(clerk), receipt_id=receipt_id, reader_ids=[_user(head).pk]
        )
        if read == "read":
            documents.circulation_read(
                user=_user(head), receipt_id=receipt_id, comment=CIRCULATION_READ
            )
    if target >= RECEIPT_STEPS.index("proposed"):
        _complete(clerk, receipt_id=receipt_id, comment="拟请局领导阅示，交相关科室办理。")
    if target >= RECEIPT_STEPS.index("handling"):
        _complete(
            head,
            receipt_id=receipt_id,
            comment="同意。请认真抓好落实，按时报送工作情况。",
            handling=[dept_id],
        )
    if target >= RECEIPT_STEPS.index("circulating"):
        _complete(clerk, receipt_id=receipt_id, comment="已按要求部署落实，工作情况已报送。")
    if target >= RECEIPT_STEPS.index("filed"):
        _complete(clerk, receipt_id=receipt_id, comment="办结归档。")


def _work_items(titles: dict[str, int]) -> int:
    """Assign, report on and close the work items, then sweep their clocks."""
    today = timezone.localdate()
    for plan in WORK_ITEMS:
        started = working_days_before(today, plan.started)
        deadline = (
            working_days_before(today, -plan.deadline)
            if plan.deadline < 0
            else add_working_days(today, plan.deadline)
        )
        assigner = _user(plan.assigner)
        item = workitems.workitem_create(
            user=assigner,
            title=plan.title,
            description=plan.description,
            department_ids=[_department_id(d) for d in plan.departments],
            deadline=deadline,
            document_id=titles.get(plan.document),
            today=started,
        )
        for dept, percent, text in plan.reports:
            workitems.workitem_report(
                user=_user(_reporter(dept)),
                item_id=item.pk,
                department_id=_department_id(dept),
                text=text,
                percent=percent,
            )
        if plan.evaluation:
            workitems.workitem_close(
                user=assigner, item_id=item.pk, evaluation=plan.evaluation, comment=plan.comment
            )
    workitems.workitem_sweep()
    return len(WORK_ITEMS)


def _reporter(dept: Dept) -> str:
    """Who reports for a department: its reviewer, else its first demo account."""
    return _staff(dept, "reviewer") or next(
        name for name, _n, div, code, _role in data.STAFF if (div, code) == dept
    )


def _notices() -> int:
    for publisher, title, body, departments, readers in NOTICES:
        notice = notices.notice_publish(
            user=_user(publisher),
            title=title,
            body=body,
            department_ids=[_department_id(d) for d in departments],
            department_id=_department_id(_department_of(publisher)),
        )
        for reader in readers:
            notices.notice_read(user=_user(reader), notice_id=notice.pk)
    return len(NOTICES)


def _groups() -> int:
    for creator, name, kind, members, messages, shared in GROUPS:
        group = groups.group_create(
            user=_user(creator),
            name=name,
            kind=kind,
            member_ids=[_user(m).pk for m in members],
        )
        for author, body in messages:
            groups.message_post(user=_user(author), group_id=group.pk, body=body)
        if shared:
            upload = SimpleUploadedFile(shared, SAMPLE_PDF, "application/pdf")
            groups.message_post(user=_user(messages[-1][0]), group_id=group.pk, upload=upload)
    return len(GROUPS)


def _at(working_days: int, hour: int, minute: int) -> datetime:
    day: date = add_working_days(timezone.localdate(), working_days)
    return timezone.make_aware(datetime.combine(day, clock_time(hour, minute)))


def _meetings() -> int:
    """Two meetings ahead with answers, and one just begun with its minutes."""
    head = _user("scjg-head")
    work = meetings.meeting_arrange(
        user=head,
        title="全市食品安全工作推进会",
        starts_at=_at(3, 9, 30),
        ends_at=_at(3, 11, 30),
        place="市民之家三楼第一会议室",
        agenda="一、通报一季度食品安全工作情况\n二、部署春季专项检查\n三、各单位交流发言",
        invitee_ids=[
            _user(u).pk for u in ("scjg", "scjg-hegao", "xfzd-head", "sthjj-head", "xg-scjg-head")
        ],
    )
    for username, response, note in (
        ("scjg", "accepted", ""),
        ("xfzd-head", "accepted", ""),
        ("sthjj-head", "declined", "另有公务，委派赵环保同志参加。"),
    ):
        meetings.invitation_respond(
            user=_user(username), meeting_id=work.pk, response=response, note=note
        )
    fire = meetings.meeting_arrange(
        user=_user("xfzd-head"),
        title="商业综合体消防安全联合检查部署会",
        starts_at=_at(1, 14, 30),
        ends_at=_at(1, 16, 0),
        place="市消防救援支队二楼会议室",
        agenda="部署联合检查分组和检查要点",
        invitee_ids=[_user(u).pk for u in ("xiaofang", "scjg", "huanbao")],
    )
    meetings.invitation_respond(user=_user("xiaofang"), meeting_id=fire.pk, response="accepted")
    _meeting_with_minutes(head)
    return 3


def _meeting_with_minutes(head: Any) -> None:
    """Minutes can only be recorded once a meeting has begun and meetings can only be
    arranged ahead, so this one begins a moment after it is arranged."""
    starts = timezone.now() + timedelta(seconds=0.5)
    meeting = meetings.meeting_arrange(
        user=head,
        title="局务会（春季专项检查专题）",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="市场监管局五楼会议室",
        agenda="研究春季食品安全专项检查实施方案",
        invitee_ids=[_user(u).pk for u in ("scjg", "scjg-hegao")],
    )
    time.sleep(max(0.0, (starts - timezone.now()).total_seconds()) + 0.05)
    meetings.minutes_record(
        user=head,
        meeting_id=meeting.pk,
        minutes=(
            "会议研究了春季食品安全专项检查实施方案，议定：一、同意实施方案，由食品经营"
            "监管处牵头组织实施；二、检查结果于5月底前报局务会；三、会同消防、生态环境"
            "部门开展联合检查。"
        ),
    )


def _requests() -> int:
    """A request from a sample case the 市场监管局 reviewer works on, one answered and one
    waiting; none when the sample cases were not loaded."""
    applicant = user_by_username("hbcanyin")
    reviewer = _user("scjg")
    if applicant is None:
        return 0
    case = next(
        (c for c in cases.case_list_for_applicant(user=applicant).items if can_raise(reviewer, c)),
        None,
    )
    if case is None:
        return 0
    answered = request_raise(
        user=reviewer,
        case_id=case.pk,
        to_department_id=_department_id(WH_XFZD),
        subject="经营场所消防安全条件征求意见",
        body="申请人经营场所位于商业综合体三层，请贵队就该场所是否符合消防安全条件提出意见。",
    )
    request_reply(
        user=_user("xiaofang"),
        request_id=answered.pk,
        reply="经现场核查，该场所疏散通道畅通、消防设施完好，符合消防安全条件。",
    )
    request_raise(
        user=reviewer,
        case_id=case.pk,
        to_department_id=_department_id(WH_STHJJ),
        subject="餐饮油烟排放征求意见",
        body="申请人拟从事热食类食品制售，请贵局就其油烟净化设施和排放口设置提出意见。",
        due_days=5,
    )
    return 2
