"""The demo's open data: realistic (generated, deterministic) open datasets of 武汉市's
departments, 50-500 rows each and no personal data. Each is a catalog resource of its
department, read by a FILE adapter from a CSV file under ``VAR_DIR/opendata`` and opened
through the open data services, as a data steward would do it. Idempotent: a second run
creates nothing and audits nothing."""

# ruff: noqa: E501 - the data tables below read better unwrapped

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from tongban.accounts.selectors import user_by_username
from tongban.core.errors import NotFound
from tongban.exchange import services as exchange
from tongban.exchange.selectors import resource_get
from tongban.exchange.services import ItemSpec
from tongban.opendata import services as opendata
from tongban.opendata.selectors import dataset_for_resource
from tongban.org.selectors import department_by_code

Progress = Callable[[str], None]
Row = list[Any]

CITY = "420100"
DISTRICTS = [
    "江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区",
    "东西湖区", "汉南区", "蔡甸区", "江夏区", "黄陂区", "新洲区",
]  # fmt: skip
ROADS = [
    "解放大道", "中山大道", "建设大道", "发展大道", "汉阳大道", "武珞路", "珞喻路", "友谊大道",
    "和平大道", "雄楚大道", "光谷大道", "江汉路", "京汉大道", "鹦鹉大道", "民族大道", "金桥大道",
    "三阳路", "航空路", "徐东大街", "沙湖路", "中北路", "欢乐大道", "卓刀泉路", "关山大道",
]  # fmt: skip
PLACES = [
    "汉口", "武昌", "汉阳", "光谷", "沌口", "后湖", "徐东", "街道口", "王家湾", "钟家村",
    "常青", "古田", "青山", "关山", "南湖", "白沙洲", "金银湖", "阳逻", "纸坊", "盘龙城",
]  # fmt: skip
GROUPS = (
    ("transport", "交通出行", "TRAN"),
    ("health", "医疗卫生", "HEAL"),
    ("education", "教育文化体育", "EDUC"),
    ("environment", "生态环境", "ENVI"),
    ("economy", "经济发展", "ECON"),
    ("society", "民生服务", "SOCI"),
    ("government", "政务服务", "GOVE"),
    ("regions", "城市建设", "REGI"),
)


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    department: str
    notes: str
    groups: tuple[str, ...]
    tags: tuple[str, ...]
    frequency: str
    # (key, label, data type); the CSV header is the label.
    columns: tuple[tuple[str, str, str], ...]
    rows: Callable[[random.Random], list[Row]]
    terms: str = ""  # set: conditionally open


def _address(rng: random.Random) -> str:
    return f"武汉市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randint(1, 600)}号"


def _district_address(rng: random.Random) -> tuple[str, str]:
    district = rng.choice(DISTRICTS)
    return district, f"武汉市{district}{rng.choice(ROADS)}{rng.randint(1, 600)}号"


def _lon_lat(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(114.05, 114.58), 6), round(rng.uniform(30.40, 30.78), 6)


def _days(start: date, n: int) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def _months(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


# ------------------------------------------------------------------------------ rows


def _bus_lines(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 221):
        a, b = rng.sample(PLACES, 2)
        first = f"0{rng.randint(5, 6)}:{rng.choice(['00', '15', '30', '45'])}"
        last = f"{rng.randint(20, 23)}:{rng.choice(['00', '30'])}"
        rows.append(
            [
                f"{i}路",
                f"{a}公交站",
                f"{b}公交站",
                first,
                last,
                rng.choice([1.5, 2.0]),
                rng.randint(12, 45),
                rng.choice(
                    [
                        "武汉市公交集团第一营运公司",
                        "武汉市公交集团第三营运公司",
                        "武汉市公交集团光谷公司",
                    ]
                ),
                rng.choice(DISTRICTS),
            ]
        )
    return rows


def _parking(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 301):
        district, address = _district_address(rng)
        lon, lat = _lon_lat(rng)
        kind = rng.choice(["公共停车场", "路内停车泊位", "商业配建停车场", "P+R停车场"])
        rows.append(
            [
                f"{rng.choice(PLACES)}{kind}{i:03d}",
                district,
                address,
                rng.randint(20, 1200),
                rng.choice(["首小时5元，之后每小时2元", "每小时3元", "每次10元", "首半小时免费"]),
                lon,
                lat,
                rng.choice(["全天开放", "07:00-22:00"]),
            ]
        )
    return rows


def _medical(rng: random.Random) -> list[Row]:
    kinds = [
        ("综合医院", ["三级甲等", "三级乙等", "二级甲等"], (300, 3000)),
        ("专科医院", ["三级甲等", "二级甲等", "一级"], (80, 800)),
        ("社区卫生服务中心", ["一级"], (0, 60)),
        ("中医医院", ["三级甲等", "二级甲等"], (150, 1200)),
        ("诊所", ["未定级"], (0, 0)),
    ]
    rows = []
    for i in range(1, 401):
        kind, grades, beds = rng.choice(kinds)
        district, address = _district_address(rng)
        rows.append(
            [
                f"武汉市{district}{rng.choice(PLACES)}{kind}（{i:03d}）",
                kind,
                rng.choice(grades),
                district,
                address,
                rng.randint(*beds),
                f"027-{rng.randint(5000_0000, 8999_9999)}",
            ]
        )
    return rows


def _schools(rng: random.Random) -> list[Row]:
    stages = [("幼儿园", 3, 12), ("小学", 12, 48), ("初级中学", 9, 36), ("高级中学", 12, 48)]
    rows = []
    for i in range(1, 351):
        stage, low, high = rng.choice(stages)
        district, address = _district_address(rng)
        classes = rng.randint(low, high)
        rows.append(
            [
                f"武汉市{district}{rng.choice(PLACES)}{stage}（{i:03d}）",
                stage,
                rng.choices(["公办", "民办"], weights=[4, 1])[0],
                district,
                address,
                classes,
                classes * rng.randint(28, 45),
            ]
        )
    return rows


STATIONS = [
    "东湖梨园",
    "汉口花桥",
    "武昌紫阳",
    "青山钢花",
    "汉阳月湖",
    "沌口新区",
    "吴家山",
    "汉口江滩",
    "沉湖七壕",
    "东湖高新",
]


def _air(rng: random.Random) -> list[Row]:
    rows = []
    for day in _days(date(2026, 10, 1), 40):
        for station in STATIONS:
            pm25 = rng.randint(8, 95)
            pm10 = pm25 + rng.randint(5, 60)
            aqi = max(pm25 * 14 // 10, pm10 // 2)
            level = "优" if aqi <= 50 else "良" if aqi <= 100 else "轻度污染"
            primary = "—" if aqi <= 50 else rng.choice(["PM2.5", "PM10", "O3"])
            rows.append([day, station, aqi, primary, pm25, pm10, level])
    return rows


def _enterprise_stats(rng: random.Random) -> list[Row]:
    return [
        [m, d, rng.randint(300, 2500), rng.randint(50, 600), rng.randint(500, 3500)]
        for m in _months(2025)
        for d in DISTRICTS
    ]


SPOTS = [
    ("黄鹤楼公园", "5A"), ("东湖生态旅游风景区", "5A"), ("武汉博物馆", "4A"), ("归元禅寺", "4A"),
    ("晴川阁", "4A"), ("古琴台", "4A"), ("武汉植物园", "4A"), ("木兰山风景区", "5A"),
    ("木兰天池", "4A"), ("武汉海昌极地海洋公园", "4A"), ("汉口江滩", "4A"), ("辛亥革命博物馆", "4A"),
    ("武汉动物园", "4A"), ("九真山风景区", "4A"), ("知音号", "4A"), ("黎黄陂路街头博物馆", "3A"),
    ("昙华林历史文化街区", "3A"), ("武汉欢乐谷", "4A"), ("龟山风景区", "4A"), ("青山江滩", "3A"),
    ("藏龙岛国家湿地公园", "3A"), ("后官湖湿地公园", "3A"), ("金银湖国家城市湿地公园", "3A"),
    ("汉阳造文化创意产业园", "3A"), ("武汉园博园", "4A"), ("中山舰旅游区", "4A"),
]  # fmt: skip


def _spots(rng: random.Random) -> list[Row]:
    rows = []
    for name, grade in SPOTS:
        district, address = _district_address(rng)
        rows.append(
            [name, grade, district, address, rng.choice(["08:30-17:30", "09:00-17:00", "全天开放"]),
             rng.choice([0, 0, 30, 50, 70, 80, 120])]
        )  # fmt: skip
    for i in range(len(rows), 60):
        district, address = _district_address(rng)
        rows.append(
            [f"{rng.choice(PLACES)}{rng.choice(['公园', '湿地公园', '文化街区', '纪念馆'])}{i}",
             rng.choice(["3A", "2A"]), district, address, "全天开放", 0]
        )  # fmt: skip
    return rows


def _toilets(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 501):
        district, address = _district_address(rng)
        lon, lat = _lon_lat(rng)
        rows.append(
            [f"{rng.choice(PLACES)}公厕{i:03d}", district, address,
             rng.choice(["一类", "二类", "三类"]), rng.choice(["是", "是", "否"]),
             rng.choice(["24小时", "06:00-23:00"]), lon, lat]
        )  # fmt: skip
    return rows


def _chargers(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 301):
        district, address = _district_address(rng)
        lon, lat = _lon_lat(rng)
        rows.append(
            [f"{rng.choice(PLACES)}充电站{i:03d}", district, address, rng.randint(0, 30),
             rng.randint(0, 40), rng.choice(["国家电网", "特来电", "星星充电", "南方电网"]), lon, lat]
        )  # fmt: skip
    return rows


def _elderly(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 151):
        district, address = _district_address(rng)
        rows.append(
            [f"武汉市{district}{rng.choice(PLACES)}{rng.choice(['社会福利院', '养老院', '颐养中心', '老年公寓'])}（{i:03d}）",
             rng.choice(["公办", "民办", "公建民营"]), district, address, rng.randint(30, 600),
             rng.choice(["自理、半失能、失能老人", "自理老人", "失能、半失能老人"])]
        )  # fmt: skip
    return rows


def _pharmacies(rng: random.Random) -> list[Row]:
    chains = ["同济堂", "九州通", "马应龙", "益丰", "老百姓", "国药控股", "本草堂"]
    rows = []
    for i in range(1, 401):
        district, address = _district_address(rng)
        rows.append(
            [f"{rng.choice(chains)}大药房{rng.choice(PLACES)}店（{i:03d}）", district, address,
             rng.choice(["是", "是", "否"]), rng.choice(["08:00-22:00", "24小时", "08:30-21:30"])]
        )  # fmt: skip
    return rows


def _libraries(rng: random.Random) -> list[Row]:
    rows = [["武汉图书馆", "市级", "江汉区", "武汉市江汉区建设大道861号", 620.5, "09:00-21:00"]]
    for d in DISTRICTS:
        rows.append([f"{d}图书馆", "区级", d, f"武汉市{d}{rng.choice(ROADS)}{rng.randint(1, 600)}号",
                     round(rng.uniform(20, 120), 1), "09:00-17:30"])  # fmt: skip
    for i in range(len(rows), 70):
        district, address = _district_address(rng)
        rows.append([f"{rng.choice(PLACES)}街道分馆{i:02d}", "街道分馆", district, address,
                     round(rng.uniform(0.5, 5), 1), "09:00-17:00"])  # fmt: skip
    return rows


def _venues(rng: random.Random) -> list[Row]:
    kinds = ["体育中心", "全民健身中心", "游泳馆", "羽毛球馆", "篮球场", "足球场", "体育公园"]
    rows = []
    for i in range(1, 121):
        district, address = _district_address(rng)
        kind = rng.choice(kinds)
        rows.append(
            [f"{rng.choice(PLACES)}{kind}（{i:03d}）", kind, district, address,
             rng.choice(["免费开放", "低收费开放", "收费开放"])]
        )  # fmt: skip
    return rows


def _service_points(rng: random.Random) -> list[Row]:
    rows = [["武汉市民之家", "市级", "江汉区", "武汉市江汉区金桥大道117号", "09:00-17:00", 1860]]
    for d in DISTRICTS:
        rows.append([f"{d}政务服务中心", "区级", d, f"武汉市{d}{rng.choice(ROADS)}{rng.randint(1, 600)}号",
                     "09:00-17:00", rng.randint(600, 1200)])  # fmt: skip
    for i in range(len(rows), 200):
        district, address = _district_address(rng)
        level = rng.choice(["街道", "社区"])
        rows.append([f"{rng.choice(PLACES)}{level}党群服务中心（{i:03d}）", level, district,
                     address, "09:00-17:00", rng.randint(30, 180)])  # fmt: skip
    return rows


def _population(rng: random.Random) -> list[Row]:
    rows = []
    for d in DISTRICTS:
        base = rng.uniform(30, 130)
        for year in range(2016, 2026):
            base *= rng.uniform(0.99, 1.03)
            rows.append([year, d, round(base * 0.85, 2), round(base, 2),
                         int(base * rng.uniform(60, 95)), int(base * rng.uniform(45, 70))])  # fmt: skip
    return rows


def _gdp(rng: random.Random) -> list[Row]:
    rows = []
    for d in DISTRICTS:
        level = rng.uniform(80, 500)
        for year in range(2022, 2026):
            for q in range(1, 5):
                total = round(level * rng.uniform(0.95, 1.1), 2)
                first = round(total * rng.uniform(0.005, 0.08), 2)
                second = round(total * rng.uniform(0.2, 0.45), 2)
                rows.append([f"{year}Q{q}", d, total, first, second,
                             round(total - first - second, 2), round(rng.uniform(2, 8), 1)])  # fmt: skip
            level *= 1.05
    return rows


def _rain(rng: random.Random) -> list[Row]:
    stations = ["武汉站", "蔡甸站", "黄陂站", "新洲站", "江夏站", "东西湖站", "汉南站", "光谷站",
                "青山站", "汉阳站", "洪山站", "江岸站"]  # fmt: skip
    return [
        [day, s, round(max(0.0, rng.gauss(2, 8)), 1)]
        for day in _days(date(2026, 6, 1), 30)
        for s in stations
    ]


def _visitors(rng: random.Random) -> list[Row]:
    spots = [name for name, _grade in SPOTS[:10]]
    return [
        [day, s, rng.randint(800, 60000)] for day in _days(date(2026, 10, 1), 40) for s in spots
    ]


def _employment(rng: random.Random) -> list[Row]:
    return [
        [m, d, rng.randint(800, 6000), rng.randint(100, 900), rng.randint(2000, 15000)]
        for m in _months(2025)
        for d in DISTRICTS
    ]


def _job_fairs(rng: random.Random) -> list[Row]:
    kinds = ["春风行动专场招聘会", "高校毕业生专场招聘会", "民营企业招聘周", "退役军人专场招聘会"]
    rows = []
    start = date(2025, 1, 5)
    for i in range(80):
        day = start + timedelta(days=i * 4)
        district, address = _district_address(rng)
        rows.append([f"{district}{rng.choice(kinds)}", day.isoformat(), address,
                     rng.randint(30, 400), rng.randint(300, 9000)])  # fmt: skip
    return rows


def _housing(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 121):
        district, address = _district_address(rng)
        rows.append([f"{rng.choice(PLACES)}{rng.choice(['安居', '和园', '新苑', '人才公寓'])}项目{i:03d}",
                     district, address, rng.randint(200, 3000),
                     rng.choice(["公共租赁住房", "保障性租赁住房", "共有产权住房"]),
                     rng.randint(2015, 2026)])  # fmt: skip
    return rows


def _fire_stations(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, 61):
        district, address = _district_address(rng)
        rows.append([f"{rng.choice(PLACES)}消防救援站{i:02d}", district, address,
                     rng.choice(["特勤站", "普通站", "小型站"])])  # fmt: skip
    return rows


def _violations(rng: random.Random) -> list[Row]:
    kinds = ["超速行驶", "违法停车", "闯红灯", "不按规定车道行驶"]
    return [
        [m, d, k, rng.randint(200, 9000)]
        for m in _months(2025)[:6]
        for d in DISTRICTS
        for k in kinds
    ]


def _permits(rng: random.Random) -> list[Row]:
    rows = []
    builders = ["武汉城建集团", "武汉地产集团", "中建三局", "武汉城投集团", "湖北联投集团"]
    for i in range(1, 301):
        district = rng.choice(DISTRICTS)
        day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 364))
        rows.append([f"420100{day:%Y%m%d}{i:04d}", f"{rng.choice(PLACES)}{rng.choice(['住宅', '商业综合体', '学校', '医院'])}项目{i:03d}",
                     rng.choice(builders), district, rng.randint(3000, 250000), day.isoformat()])  # fmt: skip
    return rows


S, INT, NUM, DAY = "string", "integer", "number", "date"
NAME_ADDR = (("name", "名称", S), ("district", "所属区", S), ("address", "地址", S))

SPECS: tuple[Spec, ...] = (
    Spec("wuhan-bus-lines", "武汉市公交线路", "jtysj",
         "武汉市常规公交线路的起终点、首末班时间、票价和站点数。", ("transport",),
         ("公交", "线路", "出行"), "MONTHLY",
         (("line", "线路名称", S), ("start_stop", "起点站", S), ("end_stop", "终点站", S),
          ("first_bus", "首班时间", S), ("last_bus", "末班时间", S), ("fare", "票价", NUM),
          ("stops", "站点数", INT), ("operator", "运营单位", S), ("district", "所属区", S)),
         _bus_lines),
    Spec("wuhan-parking-lots", "武汉市公共停车场", "jtysj",
         "全市公共停车场和路内泊位的位置、泊位数、收费标准和开放时间。", ("transport",),
         ("停车场", "停车", "泊位"), "MONTHLY",
         (*NAME_ADDR, ("spaces", "泊位数", INT), ("fee", "收费标准", S), ("lon", "经度", NUM),
          ("lat", "纬度", NUM), ("hours", "开放时间", S)), _parking),
    Spec("wuhan-medical-institutions", "武汉市医疗机构名录", "wjw",
         "全市医院、社区卫生服务中心、诊所等医疗机构的类别、等级、地址和床位数。",
         ("health",), ("医疗机构", "医院", "卫生"), "QUARTERLY",
         (("name", "机构名称", S), ("kind", "机构类别", S), ("grade", "等级", S),
          ("district", "所属区", S), ("address", "地址", S), ("beds", "床位数", INT),
          ("phone", "咨询电话", S)), _medical),
    Spec("wuhan-schools", "武汉市学校名录", "jyj",
         "全市幼儿园、中小学的学段、办学性质、地址、班级数和在校学生数。", ("education",),
         ("学校", "教育", "名录"), "ANNUAL",
         (("name", "学校名称", S), ("stage", "学段", S), ("ownership", "办学性质", S),
          ("district", "所属区", S), ("address", "地址", S), ("classes", "班级数", INT),
          ("students", "在校学生数", INT)), _schools),
    Spec("wuhan-air-quality-daily", "武汉市空气质量日报", "sthjj",
         "全市国控空气质量监测点的每日空气质量指数（AQI）、首要污染物和颗粒物浓度。",
         ("environment",), ("空气质量", "AQI", "环境监测"), "DAILY",
         (("date", "日期", DAY), ("station", "监测点", S), ("aqi", "空气质量指数", INT),
          ("primary_pollutant", "首要污染物", S), ("pm25", "PM2.5浓度", INT),
          ("pm10", "PM10浓度", INT), ("level", "空气质量等级", S)), _air),
    Spec("wuhan-enterprise-registration-stats", "武汉市企业登记统计", "scjg",
         "各区每月新设企业、注销企业和新设个体工商户数量（统计数据）。", ("economy",),
         ("企业登记", "市场主体", "统计"), "MONTHLY",
         (("month", "月份", S), ("district", "所属区", S), ("new_enterprises", "新设企业数", INT),
          ("closed_enterprises", "注销企业数", INT), ("new_individual", "新设个体工商户数", INT)),
         _enterprise_stats),
    Spec("wuhan-scenic-spots", "武汉市旅游景点", "zsj",
         "全市A级旅游景区和主要公园的等级、地址、开放时间和门票价格。", ("economy", "education"),
         ("旅游", "景点", "景区"), "ANNUAL",
         (("name", "景点名称", S), ("grade", "等级", S), ("district", "所属区", S),
          ("address", "地址", S), ("hours", "开放时间", S), ("ticket", "门票价格（元）", INT)),
         _spots),
    Spec("wuhan-public-toilets", "武汉市公共厕所", "cgj",
         "城市管理部门管理的公共厕所的位置、类别、无障碍设施和开放时间。", ("society", "regions"),
         ("公厕", "便民", "市容"), "QUARTERLY",
         (*NAME_ADDR, ("grade", "类别", S), ("accessible", "无障碍设施", S),
          ("hours", "开放时间", S), ("lon", "经度", NUM), ("lat", "纬度", NUM)), _toilets),
    Spec("wuhan-ev-charging-stations", "武汉市新能源汽车充电站", "jtysj",
         "公共充电站的位置、快充桩和慢充桩数量、运营商。", ("transport", "environment"),
         ("充电桩", "新能源汽车", "出行"), "MONTHLY",
         (*NAME_ADDR, ("fast", "快充桩数", INT), ("slow", "慢充桩数", INT),
          ("operator", "运营商", S), ("lon", "经度", NUM), ("lat", "纬度", NUM)), _chargers),
    Spec("wuhan-elderly-care-institutions", "武汉市养老机构", "mzj",
         "全市养老机构的性质、地址、床位数和收住对象。", ("society",), ("养老", "民政", "机构"),
         "QUARTERLY",
         (("name", "机构名称", S), ("ownership", "机构性质", S), ("district", "所属区", S),
          ("address", "地址", S), ("beds", "床位数", INT), ("residents", "收住对象", S)),
         _elderly),
    Spec("wuhan-pharmacies", "武汉市零售药店", "scjg",
         "持证零售药店的地址、是否医保定点和营业时间。", ("health",), ("药店", "医保", "药品"),
         "MONTHLY",
         (*NAME_ADDR, ("insurance", "医保定点", S), ("hours", "营业时间", S)), _pharmacies),
    Spec("wuhan-public-libraries", "武汉市公共图书馆", "zsj",
         "市、区公共图书馆和街道分馆的地址、藏书量和开放时间。", ("education",),
         ("图书馆", "文化", "阅读"), "ANNUAL",
         (("name", "名称", S), ("level", "级别", S), ("district", "所属区", S),
          ("address", "地址", S), ("books", "藏书量（万册）", NUM), ("hours", "开放时间", S)),
         _libraries),
    Spec("wuhan-sports-venues", "武汉市公共体育场馆", "zsj",
         "公共体育场馆的类型、地址和开放方式（免费或低收费开放）。", ("education", "society"),
         ("体育", "场馆", "健身"), "ANNUAL",
         (("name", "名称", S), ("kind", "类型", S), ("district", "所属区", S),
          ("address", "地址", S), ("opening", "开放方式", S)), _venues),
    Spec("wuhan-government-service-points", "武汉市政务服务网点", "zsj",
         "市、区政务服务中心和街道、社区便民服务网点的地址、办公时间和可办事项数。",
         ("government",), ("政务服务", "办事", "网点"), "MONTHLY",
         (("name", "网点名称", S), ("level", "层级", S), ("district", "所属区", S),
          ("address", "地址", S), ("hours", "办公时间", S), ("matters", "可办事项数", INT)),
         _service_points),
    Spec("wuhan-population-stats", "武汉市分区人口统计", "gaj",
         "各区历年户籍人口、常住人口、出生和死亡人数（汇总统计，不含个人信息）。",
         ("society", "regions"), ("人口", "统计"), "ANNUAL",
         (("year", "年份", INT), ("district", "所属区", S),
          ("registered", "户籍人口（万人）", NUM), ("resident", "常住人口（万人）", NUM),
          ("births", "出生人口", INT), ("deaths", "死亡人口", INT)), _population),
    Spec("wuhan-gdp-quarterly", "武汉市分区地区生产总值（季度）", "zsj",
         "各区季度地区生产总值及三次产业增加值、同比增长率。", ("economy",),
         ("GDP", "经济", "统计"), "QUARTERLY",
         (("quarter", "季度", S), ("district", "所属区", S), ("gdp", "地区生产总值（亿元）", NUM),
          ("primary", "第一产业（亿元）", NUM), ("secondary", "第二产业（亿元）", NUM),
          ("tertiary", "第三产业（亿元）", NUM), ("growth", "同比增长（%）", NUM)), _gdp),
    Spec("wuhan-daily-precipitation", "武汉市逐日降水量", "sthjj",
         "各自动气象站逐日降水量（毫米）。", ("environment",), ("降水", "气象", "水文"), "DAILY",
         (("date", "日期", DAY), ("station", "站点", S), ("precipitation", "降水量（毫米）", NUM)),
         _rain),
    Spec("wuhan-scenic-visitors", "武汉市重点景区客流", "zsj",
         "重点景区每日游客接待量（人次）。", ("economy",), ("旅游", "客流", "景区"), "DAILY",
         (("date", "日期", DAY), ("spot", "景区", S), ("visitors", "客流（人次）", INT)), _visitors,
         terms="仅限用于旅游规划、学术研究和公益用途；不得转售；发布成果须注明数据来源。"),
    Spec("wuhan-employment-stats", "武汉市就业统计", "rsj",
         "各区每月城镇新增就业、失业人员再就业人数和招聘岗位数。", ("economy", "society"),
         ("就业", "人社", "统计"), "MONTHLY",
         (("month", "月份", S), ("district", "所属区", S), ("new_jobs", "城镇新增就业", INT),
          ("reemployed", "失业人员再就业", INT), ("vacancies", "招聘岗位数", INT)), _employment),
    Spec("wuhan-job-fairs", "武汉市公共招聘会", "rsj",
         "公共就业服务机构举办的招聘会的时间、地点、参会企业数和岗位数。", ("society",),
         ("招聘会", "就业"), "WEEKLY",
         (("name", "招聘会名称", S), ("date", "日期", DAY), ("address", "地点", S),
          ("employers", "参会企业数", INT), ("positions", "提供岗位数", INT)), _job_fairs),
    Spec("wuhan-affordable-housing", "武汉市保障性住房项目", "zjj",
         "公共租赁住房、保障性租赁住房和共有产权住房项目的地址、套数和竣工年份。",
         ("regions", "society"), ("住房", "保障房"), "QUARTERLY",
         (("name", "项目名称", S), ("district", "所属区", S), ("address", "地址", S),
          ("units", "套数", INT), ("kind", "类型", S), ("completed", "竣工年份", INT)), _housing),
    Spec("wuhan-fire-stations", "武汉市消防救援站", "xfzd",
         "消防救援站的位置和类型。", ("government", "regions"), ("消防", "应急"), "ANNUAL",
         (*NAME_ADDR, ("kind", "类型", S)), _fire_stations),
    Spec("wuhan-traffic-violation-stats", "武汉市交通违法统计", "gaj",
         "各区每月主要交通违法行为起数（汇总统计，不含当事人信息）。", ("transport",),
         ("交通违法", "交通安全", "统计"), "MONTHLY",
         (("month", "月份", S), ("district", "所属区", S), ("kind", "违法类型", S),
          ("count", "起数", INT)), _violations,
         terms="仅限用于交通安全研究和公益用途；不得用于商业营销；不得尝试识别个人。"),
    Spec("wuhan-construction-permits", "武汉市建筑工程施工许可", "zjj",
         "建筑工程施工许可证的编号、项目名称、建设单位、建筑面积和发证日期。", ("regions",),
         ("施工许可", "建设工程"), "MONTHLY",
         (("permit_no", "许可证编号", S), ("project", "项目名称", S), ("builder", "建设单位", S),
          ("district", "所属区", S), ("area", "建筑面积（平方米）", INT), ("issued", "发证日期", DAY)),
         _permits,
         terms="仅限用于行业研究、城市规划和公益用途；引用须注明数据来源；不得转售。"),
)  # fmt: skip


def _csv(spec: Spec) -> bytes:
    rng = random.Random(spec.name)  # noqa: S311 - demo data, deterministic on purpose
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for _key, label, _type in spec.columns])
    writer.writerows(spec.rows(rng))
    return buffer.getvalue().encode("utf-8")


def _write(path: Path, content: bytes) -> None:
    """Write only when different: the FILE adapter caches by modification time."""
    if path.exists() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def resource_code(index: int) -> str:
    """The catalog code of the demo's open resource number ``index`` (1-based)."""
    return f"900100{index:05d}"


def _register(spec: Spec, code: str, path: Path, department_id: int) -> None:
    adapter = exchange.adapter_upsert(
        name=f"开放数据文件：{spec.title}", kind="file", config={"path": str(path), "format": "csv"}
    )
    for key, label, _type in spec.columns:
        exchange.field_mapping_set(
            adapter_id=adapter.pk, item_key=key, source=label, transforms=["trim"]
        )
    exchange.resource_upsert(
        code=code,
        name=spec.title,
        provider_id=department_id,
        format="file",
        share_type="unconditional",
        open_type="conditional" if spec.terms else "unconditional",
        summary=spec.notes,
        classification="开放数据",
        theme=spec.tags[0],
        update_cycle=spec.frequency,
        adapter_id=adapter.pk,
    )
    exchange.data_items_set(
        resource_code=code,
        items=[
            ItemSpec(key=key, label=label, data_type=kind, sensitivity="public")
            for key, label, kind in spec.columns
        ],
    )


def _exists(code: str) -> bool:
    try:
        resource_get(code)
    except NotFound:
        return False
    return True


def _publisher(department_code: str, admin: Any) -> Any:
    if department_code == "zsj":
        return user_by_username("shuju") or admin
    return admin


def load_opendata(progress: Progress) -> dict[str, int]:
    """Create the demo's open datasets (idempotent); returns counts."""
    admin = user_by_username("admin")
    if admin is None or not admin.is_superuser:
        admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    for name, title, eu_theme in GROUPS:
        opendata.group_upsert(name=name, title=title, eu_theme=eu_theme)
    folder = Path(settings.VAR_DIR) / "opendata"
    created = 0
    for index, spec in enumerate(SPECS, start=1):
        code = resource_code(index)
        if dataset_for_resource(code) is not None:
            continue
        department = department_by_code(division_code=CITY, code=spec.department)
        if department is None:
            raise LookupError(f"demo department {CITY}/{spec.department} is missing")
        path = folder / f"{spec.name}.csv"
        _write(path, _csv(spec))
        if not _exists(code):
            _register(spec, code, path, department.pk)
        opendata.dataset_publish(
            actor=_publisher(spec.department, admin),
            resource_code=code,
            name=spec.name,
            title=spec.title,
            notes=spec.notes,
            groups=list(spec.groups),
            tags=list(spec.tags),
            license_id="CC-BY-4.0",
            frequency=spec.frequency,
            contact_name=f"{department.name}数据管理员",
            contact_email=f"opendata-{spec.department}@wuhan.example.gov.cn",
            terms=spec.terms,
        )
        created += 1
    progress(f"  open data: {len(SPECS)} datasets ({created} new)")
    return {"datasets": len(SPECS), "created": created}
