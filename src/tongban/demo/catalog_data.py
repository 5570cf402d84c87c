"""Demo service catalog as plain values; ``catalog_loader`` loads it through the services.

Time limits are working days; promised limits are shorter than statutory ones, as local
governments commit to (承诺时限压缩). Legal bases are cited by name and article only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# City: (window address, consultation phone)
WINDOWS = {
    "420100": ("武汉市民之家（江汉区江汉北路 2 号）{dept}窗口", "027-12345"),
    "420900": ("孝感市民之家（孝南区城站路 158 号）{dept}窗口", "0712-12345"),
    "429005": ("潜江市政务服务中心（园林街道东风路 20 号）{dept}窗口", "0728-12345"),
}
ALL_CITIES = ("420100", "420900", "429005")

# Form fields: (key, title, type, required, extra JSON Schema keywords)
Field = tuple[str, str, str, bool, dict[str, Any]]

ID_PATTERN = r"^\d{17}[\dXx]$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PHONE_PATTERN = r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$"

PERSON_FIELDS: list[Field] = [
    ("applicant_name", "申请人姓名", "string", True, {"maxLength": 50}),
    ("id_number", "公民身份号码", "string", True, {"pattern": ID_PATTERN}),
    ("phone", "联系电话", "string", True, {"pattern": PHONE_PATTERN}),
]
LEGAL_FIELDS: list[Field] = [
    ("entity_name", "单位名称", "string", True, {"maxLength": 100}),
    ("credit_code", "统一社会信用代码", "string", True, {"pattern": USCC_PATTERN}),
    ("legal_representative", "法定代表人", "string", True, {"maxLength": 50}),
    ("phone", "联系电话", "string", True, {"pattern": PHONE_PATTERN}),
]
ADDRESS: Field = ("address", "经营（住所）地址", "string", True, {"maxLength": 200})


def form_schema(title: str, fields: list[Field]) -> dict[str, Any]:
    """A Draft 2020-12 JSON Schema for an application form."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": {
            key: {"title": label, "type": kind, **extra} for key, label, kind, _r, extra in fields
        },
        "required": [key for key, _l, _k, required, _e in fields if required],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class DemoMaterial:
    name: str
    source: str = "upload"  # upload | registry | licence
    required: bool = True
    notes: str = ""
    blank_form: bool = False  # a downloadable blank form is generated from the item's form


@dataclass(frozen=True)
class DemoItem:
    code: str
    name: str
    item_type: str
    audience: str
    department: str  # department code in each city (demo.data.CITY_DEPARTMENTS)
    statutory: int
    promised: int
    legal_basis: str
    materials: tuple[DemoMaterial, ...]
    fields: tuple[Field, ...] = ()
    handling: str = "2"  # 1 即办件, 2 承诺件
    visits: int = 0
    fees: str = ""  # empty = free of charge
    channels: tuple[str, ...] = ("网上办理", "窗口办理")
    life_events: tuple[str, ...] = ()
    keywords: str = ""
    description: str = ""
    conditions: str = ""
    faq: tuple[tuple[str, str], ...] = ()
    result: str = ""  # 审批结果名称, e.g. 营业执照
    cities: tuple[str, ...] = ALL_CITIES
    # Per-city overrides: city -> {"promised": n, "fees": "..."}
    local: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def process_key(self) -> str:
        return "single_window" if self.handling == "1" else "two_step_review"

    def schema(self) -> dict[str, Any]:
        base = PERSON_FIELDS if self.audience == "person" else LEGAL_FIELDS
        return form_schema(f"{self.name}申请表", [*base, *self.fields])


ID_CARD = DemoMaterial("申请人身份证明", "registry", notes="通过人口库核验，无需提交复印件")
LICENCE = DemoMaterial("营业执照", "licence", notes="调用电子证照库，无需提交纸质件")
APPLICATION = DemoMaterial("申请书", blank_form=True, notes="法定代表人或申请人签字")
PHOTO = DemoMaterial("近期免冠彩色照片", notes="白色背景，可在窗口现场采集")
PROXY = DemoMaterial("授权委托书及代理人身份证明", required=False, notes="委托他人办理时提供")

ITEMS: list[DemoItem] = [
    DemoItem(
        code="0101001000",
        name="营业执照设立登记",
        result="营业执照",
        item_type="01",
        audience="legal",
        department="scjg",
        statutory=15,
        promised=1,
        handling="2",
        legal_basis="《中华人民共和国市场主体登记管理条例》第十九条",
        materials=(
            DemoMaterial("公司登记（备案）申请书", blank_form=True, notes="全体股东签字或盖章"),
            DemoMaterial("公司章程"),
            DemoMaterial("股东主体资格证明", "registry", notes="自然人股东通过人口库核验"),
            DemoMaterial("住所使用证明", notes="租赁合同或不动产权证书"),
            DemoMaterial("法定代表人、董事、监事任职文件"),
            PROXY,
        ),
        fields=(
            ("registered_capital", "注册资本（万元）", "number", True, {"minimum": 0}),
            ("business_scope", "经营范围", "string", True, {"maxLength": 500}),
            ADDRESS,
        ),
        life_events=("开办企业", "开办餐饮店"),
        keywords="开公司 开店 开饭店 开餐馆 办执照 注册公司 工商登记 个体户",
        description="市场主体（公司、个人独资企业、合伙企业等）设立登记，领取营业执照。",
        conditions="名称经自主申报通过；住所真实合法；股东、法定代表人符合法定条件。",
        faq=(
            ("营业执照可以全程网办吗？", "可以。通过一网通办平台提交，电子营业执照即时发放。"),
            (
                "住所可以用住宅吗？",
                "依照本市住所登记管理规定，部分行业允许“住改商”，需提交相关证明。",
            ),
        ),
    ),
    DemoItem(
        code="0101002000",
        name="食品经营许可（餐饮服务）",
        result="食品经营许可证",
        item_type="01",
        audience="legal",
        department="scjg",
        statutory=20,
        promised=5,
        legal_basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        materials=(
            DemoMaterial("食品经营许可申请书", blank_form=True),
            LICENCE,
            DemoMaterial("经营场所平面布局图和设备布局、工艺流程说明"),
            DemoMaterial("食品安全管理制度文本"),
            DemoMaterial("食品安全管理人员健康证明", notes="从事接触直接入口食品工作的人员"),
            PROXY,
        ),
        fields=(
            ADDRESS,
            ("business_area", "经营场所面积（平方米）", "number", True, {"minimum": 1}),
            (
                "business_items",
                "经营项目",
                "string",
                True,
                {"enum": ["热食类食品制售", "冷食类食品制售", "生食类食品制售", "自制饮品制售"]},
            ),
        ),
        visits=1,
        life_events=("开办餐饮店",),
        keywords="开饭店 开餐馆 饭店 餐馆 餐厅 餐饮 食堂 小吃店 卫生许可",
        description="在本行政区域从事餐饮服务活动的，应当依法取得食品经营许可。",
        conditions="具有与经营的食品品种、数量相适应的场所、设备和食品安全管理人员。",
        faq=(
            ("需要现场核查吗？", "首次申请需现场核查一次，核查与审查同步进行。"),
            ("许可证有效期多久？", "食品经营许可证有效期为5年。"),
        ),
        local={"420900": {"promised": 7}, "429005": {"promised": 7}},
    ),
    DemoItem(
        code="0112001000",
        name="公众聚集场所投入使用、营业前消防安全检查",
        result="公众聚集场所投入使用、营业前消防安全检查合格证",
        item_type="01",
        audience="legal",
        department="xfzd",
        statutory=10,
        promised=5,
        legal_basis="《中华人民共和国消防法》第十五条",
        materials=(
            DemoMaterial("公众聚集场所投入使用、营业消防安全告知承诺书", blank_form=True),
            LICENCE,
            DemoMaterial("场所平面布置图、消防设施平面图"),
            DemoMaterial("消防安全制度、灭火和应急疏散预案"),
            DemoMaterial("装修工程消防验收或备案凭证", required=False),
        ),
        fields=(
            ADDRESS,
            ("floor_area", "场所建筑面积（平方米）", "number", True, {"minimum": 1}),
            ("seats", "座位数", "integer", False, {"minimum": 0}),
        ),
        visits=1,
        life_events=("开办餐饮店",),
        keywords="消防 消防检查 消防验收 开业检查 开饭店 饭店 餐厅 宾馆 商场",
        description="宾馆、饭店、商场、餐馆等公众聚集场所投入使用、营业前的消防安全检查。",
        conditions="场所已依法通过建设工程消防验收或备案，消防设施完好有效。",
        faq=(("选择告知承诺方式有什么好处？", "作出承诺并提交材料即可当场取得许可，事后核查。"),),
    ),
    DemoItem(
        code="0718001000",
        name="固定污染源排污登记",
        result="固定污染源排污登记回执",
        item_type="07",
        audience="legal",
        department="sthjj",
        statutory=10,
        promised=3,
        legal_basis="《排污许可管理条例》第二十四条；《固定污染源排污登记工作指南》",
        materials=(
            DemoMaterial("排污登记表", blank_form=True),
            LICENCE,
            DemoMaterial("油烟净化设施说明", required=False, notes="餐饮单位提供"),
        ),
        fields=(
            ADDRESS,
            ("pollutants", "主要污染物", "string", True, {"maxLength": 200}),
            ("treatment", "污染治理设施", "string", False, {"maxLength": 200}),
        ),
        life_events=("开办餐饮店",),
        keywords="排污 环保 油烟 环评 开饭店 餐饮",
        description="污染物产生量、排放量很小的排污单位填报排污登记表，不需要申请排污许可证。",
    ),
    DemoItem(
        code="0705001000",
        name="居民身份证换领",
        result="居民身份证",
        item_type="07",
        audience="person",
        department="gaj",
        statutory=60,
        promised=20,
        handling="2",
        visits=1,
        fees="工本费20元（《关于居民身份证收费标准及有关问题的通知》）",
        legal_basis="《中华人民共和国居民身份证法》第十一条",
        materials=(ID_CARD, PHOTO),
        fields=(
            ("reason", "换领原因", "string", True, {"enum": ["有效期满", "证件损坏", "信息变更"]}),
        ),
        life_events=("户籍证件",),
        keywords="身份证 换证 身份证到期 补办身份证 二代证",
        description="居民身份证有效期满、证件严重损坏不能辨认或登记项目变更的，申请换领。",
        faq=(("可以异地换领吗？", "可以，全国范围内跨省通办。"),),
    ),
    DemoItem(
        code="0705002000",
        name="户口迁移（市内迁移）",
        item_type="07",
        audience="person",
        department="gaj",
        statutory=20,
        promised=5,
        visits=1,
        legal_basis="《中华人民共和国户口登记条例》第十条",
        materials=(
            ID_CARD,
            DemoMaterial("居民户口簿", "registry"),
            DemoMaterial("合法稳定住所证明", notes="不动产权证书或购房合同"),
        ),
        fields=(
            ("from_address", "迁出地址", "string", True, {"maxLength": 200}),
            ("to_address", "迁入地址", "string", True, {"maxLength": 200}),
        ),
        life_events=("户籍证件",),
        keywords="落户 迁户口 户口 入户",
    ),
    DemoItem(
        code="2006001000",
        name="社会保障卡申领",
        result="社会保障卡",
        item_type="20",
        audience="person",
        department="rsj",
        statutory=20,
        promised=5,
        legal_basis="《中华人民共和国社会保险法》第五十八条",
        materials=(ID_CARD, PHOTO),
        fields=(("bank", "选择合作银行", "string", True, {"maxLength": 50}),),
        life_events=("就业创业",),
        keywords="社保卡 医保卡 社会保障卡 办社保卡",
        description="参保人员首次申领第三代社会保障卡（含金融功能）。",
    ),
    DemoItem(
        code="0506001000",
        name="失业保险金申领",
        item_type="05",
        audience="person",
        department="rsj",
        statutory=20,
        promised=3,
        legal_basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条",
        materials=(
            ID_CARD,
            DemoMaterial("解除或终止劳动合同证明", notes="可由单位网上报送"),
            DemoMaterial("本人社会保障卡", "licence"),
        ),
        fields=(
            ("last_employer", "原工作单位", "string", True, {"maxLength": 100}),
            ("leave_date", "离职日期", "string", True, {"format": "date"}),
        ),
        life_events=("就业创业",),
        keywords="失业金 失业补助 失业 下岗",
        description="失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业的，可申领失业保险金。",
        conditions="已办理失业登记，并有求职要求。",
    ),
    DemoItem(
        code="0108001000",
        name="建筑工程施工许可",
        result="建筑工程施工许可证",
        item_type="01",
        audience="legal",
        department="zjj",
        statutory=7,
        promised=3,
        legal_basis="《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
        materials=(
            DemoMaterial("建筑工程施工许可证申请表", blank_form=True),
            DemoMaterial("建设工程规划许可证", "licence"),
            DemoMaterial("施工合同"),
            DemoMaterial("建设资金已经落实承诺书"),
        ),
        fields=(
            ("project_name", "工程名称", "string", True, {"maxLength": 200}),
            ("contract_price", "合同价格（万元）", "number", True, {"minimum": 0}),
            ("floor_area", "建筑面积（平方米）", "number", True, {"minimum": 0}),
        ),
        life_events=("工程建设",),
        keywords="施工许可 施工证 开工 建筑 工程建设",
    ),
    DemoItem(
        code="0109001000",
        name="道路运输经营许可（道路普通货物运输）",
        item_type="01",
        audience="legal",
        department="jtysj",
        statutory=20,
        promised=5,
        legal_basis="《中华人民共和国道路运输条例》第二十一条、第二十四条",
        materials=(
            DemoMaterial("道路货物运输经营申请表", blank_form=True),
            LICENCE,
            DemoMaterial("车辆行驶证", "licence"),
            DemoMaterial("驾驶人员从业资格证", "licence"),
            DemoMaterial("安全生产管理制度文本"),
        ),
        fields=(("vehicles", "拟投入车辆数", "integer", True, {"minimum": 1}),),
        keywords="货运 运输 道路运输证 物流 货车",
        local={"429005": {"promised": 10}},
    ),
    DemoItem(
        code="0110001000",
        name="医师执业注册",
        result="医师执业证书",
        item_type="01",
        audience="person",
        department="wjw",
        statutory=20,
        promised=5,
        legal_basis="《中华人民共和国医师法》第十三条；《医师执业注册管理办法》",
        materials=(
            ID_CARD,
            DemoMaterial("医师资格证书", "licence"),
            DemoMaterial("拟执业机构聘用证明"),
            DemoMaterial("近6个月内体检证明"),
        ),
        fields=(
            ("institution", "拟执业机构", "string", True, {"maxLength": 100}),
            (
                "category",
                "执业类别",
                "string",
                True,
                {"enum": ["临床", "中医", "口腔", "公共卫生"]},
            ),
        ),
        keywords="医生 医师 执业证 行医",
    ),
    DemoItem(
        code="0111001000",
        name="民办学校办学许可",
        item_type="01",
        audience="legal",
        department="jyj",
        statutory=30,
        promised=20,
        visits=1,
        legal_basis="《中华人民共和国民办教育促进法》第十七条",
        materials=(
            DemoMaterial("办学申请报告", blank_form=True),
            DemoMaterial("学校章程和首届理事会组成人员名单"),
            DemoMaterial("办学资金来源与数额证明"),
            DemoMaterial("校舍和教学设施证明"),
        ),
        fields=(
            ("school_name", "拟办学校名称", "string", True, {"maxLength": 100}),
            ("level", "办学层次", "string", True, {"enum": ["学前教育", "义务教育", "高中教育"]}),
        ),
        keywords="办学 学校 幼儿园 培训机构 办学许可证",
    ),
    DemoItem(
        code="0713001000",
        name="内地居民结婚登记",
        result="结婚证",
        item_type="07",
        audience="person",
        department="mzj",
        statutory=1,
        promised=0,
        handling="1",
        visits=1,
        legal_basis="《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条",
        channels=("网上预约", "窗口办理"),
        materials=(
            ID_CARD,
            DemoMaterial(
                "本人户口簿", "registry", required=False, notes="全国通办试点地区无需提供"
            ),
            DemoMaterial("双方近期半身免冠合影照片3张"),
        ),
        fields=(
            ("partner_name", "另一方姓名", "string", True, {"maxLength": 50}),
            ("partner_id_number", "另一方公民身份号码", "string", True, {"pattern": ID_PATTERN}),
            ("appointment_date", "预约日期", "string", True, {"format": "date"}),
        ),
        life_events=("婚育",),
        keywords="结婚 结婚证 领证 婚姻登记",
        faq=(("需要预约吗？", "建议网上预约，节假日部分登记处提供特别服务。"),),
    ),
    DemoItem(
        code="0505001000",
        name="最低生活保障审核确认",
        item_type="05",
        audience="person",
        department="mzj",
        statutory=30,
        promised=20,
        legal_basis="《社会救助暂行办法》第九条至第十二条",
        materials=(
            ID_CARD,
            DemoMaterial("低保申请书", blank_form=True),
            DemoMaterial("家庭收入和财产状况声明"),
            DemoMaterial("家庭经济状况核对授权书", blank_form=True),
        ),
        fields=(
            ("household_size", "共同生活家庭成员人数", "integer", True, {"minimum": 1}),
            ("monthly_income", "家庭月收入（元）", "number", True, {"minimum": 0}),
        ),
        life_events=("社会救助",),
        keywords="低保 救助 困难补助 生活困难",
    ),
    DemoItem(
        code="0114001000",
        name="城市道路占用、挖掘许可",
        item_type="01",
        audience="both",
        department="cgj",
        statutory=20,
        promised=5,
        fees="占道费按占用面积和期限计收，具体以市物价部门核定标准为准",
        legal_basis="《城市道路管理条例》第二十九条至第三十三条",
        materials=(
            DemoMaterial("城市道路占用挖掘申请表", blank_form=True),
            DemoMaterial("施工方案和交通组织方案"),
            DemoMaterial("施工位置平面图"),
        ),
        fields=(
            ("location", "占用挖掘地点", "string", True, {"maxLength": 200}),
            ("area", "占用面积（平方米）", "number", True, {"minimum": 0}),
            ("start_date", "开始日期", "string", True, {"format": "date"}),
            ("end_date", "结束日期", "string", True, {"format": "date"}),
        ),
        keywords="占道 挖路 道路开挖 占用道路",
    ),
    DemoItem(
        code="0101003000",
        name="食品生产许可",
        item_type="01",
        audience="legal",
        department="scjg",
        statutory=20,
        promised=10,
        visits=1,
        legal_basis="《中华人民共和国食品安全法》第三十五条；《食品生产许可管理办法》",
        materials=(
            DemoMaterial("食品生产许可申请书", blank_form=True),
            LICENCE,
            DemoMaterial("食品生产加工场所及其周围环境平面图"),
            DemoMaterial("食品生产主要设备、设施清单"),
        ),
        fields=(ADDRESS, ("food_category", "食品类别", "string", True, {"maxLength": 100})),
        keywords="食品厂 食品加工 生产许可 SC证",
    ),
    DemoItem(
        code="0101004000",
        name="个体工商户设立登记",
        result="营业执照",
        item_type="01",
        audience="person",
        department="scjg",
        statutory=15,
        promised=0,
        handling="1",
        legal_basis="《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
        materials=(ID_CARD, DemoMaterial("经营场所使用证明")),
        fields=(ADDRESS, ("trade_name", "字号名称", "string", False, {"maxLength": 50})),
        life_events=("开办企业",),
        keywords="个体户 开店 摆摊 小店 营业执照",
    ),
    DemoItem(
        code="0101005000",
        name="药品零售企业经营许可",
        item_type="01",
        audience="legal",
        department="scjg",
        statutory=30,
        promised=15,
        visits=1,
        legal_basis="《中华人民共和国药品管理法》第五十一条",
        materials=(
            DemoMaterial("药品经营许可证申请表", blank_form=True),
            LICENCE,
            DemoMaterial("执业药师注册证", "licence"),
            DemoMaterial("营业场所、仓库平面布置图"),
        ),
        fields=(ADDRESS,),
        keywords="药店 开药店 药品经营 药房",
    ),
    DemoItem(
        code="0705003000",
        name="出生登记（新生儿落户）",
        item_type="07",
        audience="person",
        department="gaj",
        statutory=10,
        promised=0,
        handling="1",
        legal_basis="《中华人民共和国户口登记条例》第七条",
        materials=(
            DemoMaterial("出生医学证明", "licence"),
            DemoMaterial("父母居民户口簿", "registry"),
            DemoMaterial("父母结婚证", "licence", required=False),
        ),
        fields=(
            ("child_name", "新生儿姓名", "string", True, {"maxLength": 50}),
            ("birth_date", "出生日期", "string", True, {"format": "date"}),
        ),
        life_events=("婚育",),
        keywords="新生儿 上户口 落户 出生",
    ),
    DemoItem(
        code="0705004000",
        name="机动车驾驶证换证",
        item_type="07",
        audience="person",
        department="gaj",
        statutory=5,
        promised=0,
        handling="1",
        fees="工本费10元",
        legal_basis="《机动车驾驶证申领和使用规定》第六十八条",
        materials=(ID_CARD, DemoMaterial("身体条件证明", notes="年满60周岁需提供")),
        keywords="驾照 驾驶证 换驾照 驾照到期",
    ),
    DemoItem(
        code="2006002000",
        name="就业创业证申领",
        item_type="20",
        audience="person",
        department="rsj",
        statutory=10,
        promised=0,
        handling="1",
        legal_basis="《就业服务与就业管理规定》第六十一条",
        materials=(ID_CARD,),
        life_events=("就业创业",),
        keywords="就业证 失业证 就业失业登记 创业",
    ),
    DemoItem(
        code="0506002000",
        name="职工基本养老保险待遇申领",
        item_type="05",
        audience="person",
        department="rsj",
        statutory=20,
        promised=10,
        legal_basis="《中华人民共和国社会保险法》第十六条",
        materials=(ID_CARD, DemoMaterial("本人社会保障卡", "licence")),
        fields=(("retire_date", "退休日期", "string", True, {"format": "date"}),),
        life_events=("退休",),
        keywords="退休 养老金 退休金 养老保险",
    ),
    DemoItem(
        code="0108002000",
        name="商品房预售许可",
        item_type="01",
        audience="legal",
        department="zjj",
        statutory=10,
        promised=5,
        legal_basis="《城市商品房预售管理办法》第七条",
        materials=(
            DemoMaterial("商品房预售许可申请表", blank_form=True),
            DemoMaterial("建设工程施工许可证", "licence"),
            DemoMaterial("土地使用权证明", "licence"),
            DemoMaterial("商品房预售方案"),
        ),
        fields=(("project_name", "项目名称", "string", True, {"maxLength": 200}),),
        keywords="预售证 卖房 楼盘 房地产",
    ),
    DemoItem(
        code="0718002000",
        name="建设项目环境影响报告表审批",
        item_type="01",
        audience="legal",
        department="sthjj",
        statutory=30,
        promised=10,
        legal_basis="《中华人民共和国环境影响评价法》第二十二条",
        materials=(
            DemoMaterial("建设项目环境影响报告表"),
            DemoMaterial("建设项目环评审批申请书", blank_form=True),
            LICENCE,
        ),
        fields=(("project_name", "项目名称", "string", True, {"maxLength": 200}),),
        life_events=("工程建设",),
        keywords="环评 环境影响评价 环保审批",
    ),
    DemoItem(
        code="0109002000",
        name="出租汽车驾驶员从业资格注册",
        item_type="01",
        audience="person",
        department="jtysj",
        statutory=20,
        promised=5,
        legal_basis="《出租汽车驾驶员从业资格管理规定》",
        materials=(
            ID_CARD,
            DemoMaterial("机动车驾驶证", "licence"),
            DemoMaterial("从业资格证", "licence"),
        ),
        keywords="出租车 网约车 司机 驾驶员",
    ),
    DemoItem(
        code="0110002000",
        name="医疗机构执业登记（诊所）",
        item_type="01",
        audience="legal",
        department="wjw",
        statutory=45,
        promised=20,
        visits=1,
        legal_basis="《医疗机构管理条例》第十五条",
        materials=(
            DemoMaterial("医疗机构执业登记申请书", blank_form=True),
            DemoMaterial("医疗机构用房产权证明或使用证明"),
            DemoMaterial("医务人员执业证书", "licence"),
        ),
        fields=(ADDRESS, ("subjects", "诊疗科目", "string", True, {"maxLength": 200})),
        keywords="诊所 开诊所 医院 卫生室",
    ),
    DemoItem(
        code="2011001000",
        name="义务教育阶段学生转学",
        item_type="20",
        audience="person",
        department="jyj",
        statutory=10,
        promised=5,
        legal_basis="《中小学生学籍管理办法》第十五条",
        materials=(ID_CARD, DemoMaterial("转入学校接收证明")),
        fields=(
            ("student_name", "学生姓名", "string", True, {"maxLength": 50}),
            ("from_school", "转出学校", "string", True, {"maxLength": 100}),
            ("to_school", "转入学校", "string", True, {"maxLength": 100}),
        ),
        life_events=("教育",),
        keywords="转学 学籍 入学",
    ),
    DemoItem(
        code="0713002000",
        name="内地居民离婚登记",
        item_type="07",
        audience="person",
        department="mzj",
        statutory=30,
        promised=20,
        visits=1,
        legal_basis="《中华人民共和国民法典》第一千零七十六条、第一千零七十七条",
        channels=("网上预约", "窗口办理"),
        materials=(
            ID_CARD,
            DemoMaterial("结婚证", "licence"),
            DemoMaterial("离婚协议书", blank_form=True),
        ),
        fields=(("partner_name", "另一方姓名", "string", True, {"maxLength": 50}),),
        life_events=("婚育",),
        keywords="离婚 离婚证 离婚冷静期",
    ),
    DemoItem(
        code="0505002000",
        name="高龄津贴申领",
        item_type="05",
        audience="person",
        department="mzj",
        statutory=20,
        promised=10,
        legal_basis="《湖北省老年人权益保障条例》",
        materials=(ID_CARD, DemoMaterial("本人银行账户信息")),
        life_events=("养老",),
        keywords="高龄补贴 老年人补贴 80岁 高龄津贴",
    ),
    DemoItem(
        code="0114002000",
        name="户外广告设施设置审批",
        item_type="01",
        audience="legal",
        department="cgj",
        statutory=20,
        promised=7,
        legal_basis="《城市市容和环境卫生管理条例》第十一条",
        materials=(
            DemoMaterial("户外广告设置申请表", blank_form=True),
            LICENCE,
            DemoMaterial("广告设施设计效果图"),
        ),
        fields=(("location", "设置地点", "string", True, {"maxLength": 200}),),
        life_events=("开办餐饮店",),
        keywords="招牌 店招 广告牌 门头",
    ),
    DemoItem(
        code="0112002000",
        name="建设工程消防验收",
        item_type="01",
        audience="legal",
        department="zjj",
        statutory=15,
        promised=10,
        visits=1,
        legal_basis="《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》",
        materials=(
            DemoMaterial("消防验收申请表", blank_form=True),
            DemoMaterial("工程竣工验收报告"),
            DemoMaterial("涉及消防的建设工程竣工图纸"),
        ),
        fields=(("project_name", "工程名称", "string", True, {"maxLength": 200}),),
        life_events=("工程建设",),
        keywords="消防验收 竣工 装修验收",
    ),
    DemoItem(
        code="2003001000",
        name="企业登记档案查询",
        item_type="20",
        audience="both",
        department="scjg",
        statutory=5,
        promised=0,
        handling="1",
        legal_basis="《企业登记档案资料查询办法》",
        channels=("网上办理", "窗口办理", "自助终端"),
        materials=(ID_CARD,),
        fields=(("target", "查询企业名称", "string", True, {"maxLength": 100}),),
        keywords="查档 企业档案 工商档案",
    ),
    DemoItem(
        code="0102001000",
        name="二手车交易登记（转移登记）",
        item_type="07",
        audience="person",
        department="gaj",
        statutory=5,
        promised=0,
        handling="1",
        visits=1,
        fees="机动车行驶证工本费10元",
        legal_basis="《机动车登记规定》第二十五条",
        materials=(ID_CARD, DemoMaterial("机动车登记证书"), DemoMaterial("二手车销售统一发票")),
        keywords="过户 卖车 买车 二手车",
        cities=("420100", "420900"),
    ),
]


@dataclass(frozen=True)
class DemoBundle:
    slug: str
    name: str
    division: str
    process_key: str
    lead_department: str
    description: str
    items: tuple[str, ...]
    fields: tuple[Field, ...]


# The flagship life-event bundle (一件事一次办) in 武汉市.
RESTAURANT_BUNDLE = DemoBundle(
    slug="kaiban-canyindian",
    name="开办餐饮店一件事",
    division="420100",
    process_key="restaurant_bundle",
    lead_department="zsj",
    description=(
        "开一家餐饮店需要营业执照、食品经营许可、消防安全检查和排污登记。"
        "现在一张表单、一套材料、一窗受理，四个部门并联审批。"
    ),
    items=("0101001000", "0101002000", "0112001000", "0718001000"),
    fields=(
        *LEGAL_FIELDS,
        ADDRESS,
        ("registered_capital", "注册资本（万元）", "number", True, {"minimum": 0}),
        ("business_scope", "经营范围", "string", True, {"maxLength": 500}),
        ("business_area", "经营场所面积（平方米）", "number", True, {"minimum": 1}),
        ("seats", "座位数", "integer", False, {"minimum": 0}),
        ("pollutants", "主要污染物", "string", True, {"maxLength": 200}),
    ),
)
