"""Demo data as plain values; ``loader`` turns them into records through the services."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Tongban-demo-2026"  # noqa: S105 - published demo credential

# (code, name, parent)
DIVISIONS = [
    ("420000", "湖北省", None),
    ("420100", "武汉市", "420000"),
    ("420102", "江岸区", "420100"),
    ("420106", "武昌区", "420100"),
    ("420900", "孝感市", "420000"),
    ("420902", "孝南区", "420900"),
    ("429005", "潜江市", "420000"),
]

# Departments every city (and 潜江市) has: (code, name, runs the service centre)
CITY_DEPARTMENTS = [
    ("zsj", "政务服务和大数据管理局", True),
    ("scjg", "市场监督管理局", False),
    ("gaj", "公安局", False),
    ("rsj", "人力资源和社会保障局", False),
    ("zjj", "住房和城乡建设局", False),
    ("sthjj", "生态环境局", False),
    ("jtysj", "交通运输局", False),
    ("wjw", "卫生健康委员会", False),
    ("jyj", "教育局", False),
    ("mzj", "民政局", False),
    ("cgj", "城市管理执法局", False),
    ("xfzd", "消防救援支队", False),
]
CITIES = ["420100", "420900", "429005"]

PROVINCE_DEPARTMENTS = [
    ("zsj", "政务服务和大数据管理局", True),
    ("scjg", "市场监督管理局", False),
    ("gat", "公安厅", False),
    ("rst", "人力资源和社会保障厅", False),
]
COUNTY_DEPARTMENTS = [
    ("zsj", "政务服务和大数据管理局", True),
    ("scjg", "市场监督管理局", False),
    ("mzj", "民政局", False),
]

# (username, real name, resident ID, phone)
CITIZENS = [
    ("zhangsan", "张三", "420102199003071232", "13800001234"),
    ("lisi", "李四", "420902200005124560", "13900005678"),
]

# (username, name, credit code, legal representative)
ENTERPRISES = [
    ("hbcanyin", "湖北楚味餐饮有限公司", "91420100MA4KXL7P09", "张三"),
]

# (username, display name, division, department code, role)
STAFF = [
    ("admin", "系统管理员", "420000", "zsj", "sysadmin"),
    ("chuangkou", "王窗口", "420100", "zsj", "window_clerk"),
    ("scjg", "刘审批", "420100", "scjg", "reviewer"),
    ("scjg-head", "黄局长", "420100", "scjg", "head"),
    ("scjg-hegao", "马核稿", "420100", "scjg", "reviewer"),
    ("xfzd-head", "高支队长", "420100", "xfzd", "head"),
    ("sthjj-head", "林局长", "420100", "sthjj", "head"),
    ("xiaofang", "陈消防", "420100", "xfzd", "reviewer"),
    ("huanbao", "赵环保", "420100", "sthjj", "reviewer"),
    ("jiancha", "孙监察", "420100", "zsj", "supervisor"),
    ("paidan", "周派单", "420100", "zsj", "dispatcher"),
    ("shuju", "吴数据", "420100", "zsj", "data_steward"),
    ("xg-scjg", "郑审批", "420900", "scjg", "reviewer"),
    ("xg-scjg-head", "邓局长", "420900", "scjg", "head"),
    ("rsj-shuju", "钱数据", "420100", "rsj", "data_steward"),
    ("gaj-shuju", "冯数据", "420100", "gaj", "data_steward"),
    ("lingdao", "何省长", "420000", "zsj", "leader"),
    ("wh-lingdao", "程市长", "420100", "zsj", "leader"),
]


@dataclass(frozen=True)
class OidcClient:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: tuple[str, ...]


OIDC_CLIENT = OidcClient(
    client_id="demo-legacy",
    client_secret="demo-legacy-secret",  # noqa: S106 - published demo credential
    name="演示部门业务系统（demo-legacy）",
    redirect_uris=("http://127.0.0.1:8765/callback",),
)

# (division, slug, title, summary, days ago)
ARTICLES = [
    (
        "420000",
        "yiwangtongban-2026",
        "全省“一网通办”平台上线试运行",
        "个人和企业可在线办理高频事项。",
        1,
    ),
    ("420000", "zuiduo-paoyici", "深化“最多跑一次”改革实施方案发布", "推动更多事项“零跑动”。", 3),
    ("420000", "haochaping", "政务服务“好差评”制度全面实行", "差评件限期整改并回访。", 6),
    (
        "420000",
        "shuju-gongxiang",
        "政务数据共享目录完成首批编制",
        "以共享为原则、不共享为例外。",
        9,
    ),
    ("420000", "dianzi-zhengzhao", "电子证照在全省范围互认共享", "办事不再重复提交纸质证照。", 12),
    ("420000", "shilaohua", "政务服务网完成适老化改造", "长者模式提供大字号和高对比度。", 15),
    ("420000", "12345-rexian", "12345热线与网上诉求渠道整合", "诉求统一受理、按时答复。", 20),
    ("420100", "wuhan-yichuang", "武汉市推行“一窗受理、集成服务”", "综合窗口统一收件。", 2),
    (
        "420100",
        "wuhan-kaidian",
        "开办餐饮店“一件事一次办”上线",
        "营业执照、食品经营许可一次申请。",
        5,
    ),
    ("420900", "xiaogan-zhinan", "孝感市发布高频事项办事指南", "材料清单一次告知。", 4),
    ("429005", "qianjiang-zhongxin", "潜江市政务服务中心延时服务", "工作日延时至晚上七点。", 7),
]


# Service windows where visitors book appointments: (division, department, name, address).
WINDOWS = [
    ("420100", "zsj", "武汉市民之家 综合窗口", "武汉市江汉区金桥大道 117 号 一楼 A 区"),
    ("420100", "scjg", "市场监管 登记窗口", "武汉市江汉区金桥大道 117 号 二楼 B 区"),
    ("420900", "zsj", "孝感市民之家 综合窗口", "孝感市孝南区槐荫大道 369 号"),
    ("429005", "zsj", "潜江市政务服务中心 综合窗口", "潜江市园林办事处章华南路 22 号"),
]
# Half-hour slots on the next working days, two visitors per slot.
SLOT_TIMES = [("09:00", "09:30"), ("09:30", "10:00"), ("10:00", "10:30"), ("14:30", "15:00")]
SLOT_DAYS = 10
SLOT_CAPACITY = 2

# The platform's own exchange client (a demo value; production secrets are generated).
PLATFORM_CLIENT_SECRET = "demo-platform-fetch-secret"  # noqa: S105 - published demo value


# Issuing departments (发文机关): short division names and department abbreviations that
# make the document number prefixes (武市监发) and receipt prefixes (武市监收).
DIVISION_SHORT = {"420000": "鄂", "420100": "武", "420900": "孝", "429005": "潜"}
DEPARTMENT_SHORT = {
    "zsj": "政数",
    "scjg": "市监",
    "gaj": "公",
    "gat": "公",
    "rsj": "人社",
    "rst": "人社",
    "zjj": "建",
    "sthjj": "环",
    "jtysj": "交",
    "wjw": "卫健",
    "jyj": "教",
    "mzj": "民",
    "cgj": "城管",
    "xfzd": "消",
}
