"""The import bundle format of contract/IMPORT.md as data: files, columns, Chinese aliases, enums.

Nothing else in the importer spells a column name or an enumeration word; the seed generator and
``grassroots export`` write the canonical English headers listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    enum: dict[str, str] | None = None  # accepted word -> canonical code


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that identify a row; duplicates are an error
    by_alias: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            self.by_alias[column.name] = column.name
            for alias in column.aliases:
                self.by_alias[alias] = column.name

    @property
    def checks(self) -> list[tuple[str, bool, dict[str, str] | None]]:
        """(column, required, enumeration words) for the per-cell checks of every row."""
        cached: list[tuple[str, bool, dict[str, str] | None]] | None = self.__dict__.get("_checks")
        if cached is None:
            cached = [(c.name, c.required, c.enum) for c in self.columns]
            object.__setattr__(self, "_checks", cached)
        return cached

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def describe(self) -> str:
        """``code (代码)*, name (名称)*, ...``: the expected columns, * = required."""
        return ", ".join(
            f"{c.name}{' (' + '/'.join(c.aliases) + ')' if c.aliases else ''}{'*' if c.required else ''}"
            for c in self.columns
        )


def enum(*pairs: tuple[str, str]) -> dict[str, str]:
    """Each code accepted as itself and as its Chinese word."""
    words: dict[str, str] = {}
    for code, chinese in pairs:
        words[code] = code
        for word in chinese.split("/"):
            words[word] = code
    return words


LEVEL = enum(("DISTRICT", "区县"), ("STREET", "街道"), ("COMMUNITY", "社区村"), ("OUTSIDE", "外地"))
COMMUNITY_KIND = enum(("COMMUNITY", "社区"), ("VILLAGE", "村"))
COMPOUND_TYPE = enum(
    ("COMMERCIAL", "商品房"),
    ("WORK_UNIT", "单位院"),
    ("OLD", "老旧"),
    ("RESETTLEMENT", "安置"),
    ("VILLAGE", "村组"),
)
HOUSEHOLD_TYPE = enum(("FAMILY", "家庭户"), ("COLLECTIVE", "集体户"))
GENDER = enum(("M", "男"), ("F", "女"))
TENURE = enum(("OWNER", "自有"), ("TENANT", "租住"), ("OTHER", "其他"))
ORG_LEVEL = enum(
    ("WORKING_COMMITTEE", "党工委"),
    ("COMMITTEE", "党委"),
    ("GENERAL_BRANCH", "党总支"),
    ("BRANCH", "党支部"),
    ("GROUP", "党小组"),
)
ORG_KIND = enum(
    ("COMMUNITY", "社区"),
    ("COMPOUND", "小区"),
    ("BUILDING", "楼院"),
    ("ORGAN", "机关"),
    ("ENTERPRISE", "企业"),
    ("JOINT", "联合"),
)
COVERS_TYPE = enum(("COMPOUND", "小区"), ("BUILDING", "楼栋"), ("GRID", "网格"), ("UNIT", "单位"))
MEMBER_TYPE = enum(("FULL", "正式"), ("PROBATIONARY", "预备"))
UNIT_CATEGORY = enum(
    ("ORGAN", "机关"),
    ("INSTITUTION", "事业单位"),
    ("SOE", "国企"),
    ("ENTERPRISE", "企业"),
    ("SOCIAL_ORG", "社会组织"),
    ("OTHER", "其他"),
)
PAIRING_TARGET = enum(("COMMUNITY", "社区"), ("COMPOUND", "小区"), ("PARTY_ORG", "党组织"))
ROLE = enum(
    ("GRID_WORKER", "网格员"),
    ("GRID_LEADER", "网格长"),
    ("BUILDING_HEAD", "楼栋长"),
    ("AREA_HEAD", "片长"),
    ("GROUP_HEAD", "组长"),
    ("NEIGHBOR_HEAD", "邻长"),
    ("COMPOUND_SECRETARY", "小区书记"),
    ("COMMUNITY_SECRETARY", "社区书记"),
    ("OWNERS_COMMITTEE", "业委会"),
    ("PROPERTY_MANAGER", "物业"),
    ("PARTY_CENTRAL_HOUSEHOLD", "党员中心户"),
)
SCOPE_TYPE = enum(
    ("COMMUNITY", "社区"),
    ("GRID", "网格"),
    ("COMPOUND", "小区"),
    ("BUILDING", "楼栋"),
    ("PARTY_ORG", "党组织"),
)
SIDE = enum(("ORG", "支部"), ("COMMUNITY", "社区"))
GRADE = enum(
    ("EXCELLENT", "优秀"),
    ("QUALIFIED", "合格"),
    ("BASICALLY_QUALIFIED", "基本合格"),
    ("UNQUALIFIED", "不合格"),
)


def C(name: str, *aliases: str, required: bool = False, enum: dict[str, str] | None = None) -> Column:
    return Column(name, aliases, required, enum)


def R(name: str, *aliases: str, enum: dict[str, str] | None = None) -> Column:
    return Column(name, aliases, True, enum)


PID = R("pid", "人员编号")
SINCE = R("since", "起始", "起始日期", "开始日期")
UNTIL = C("until", "截止", "截止日期", "结束日期")

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "regions.csv",
        (
            R("code", "代码"),
            R("name", "名称"),
            R("level", "层级", enum=LEVEL),
            C("kind", "类型", enum=COMMUNITY_KIND),
            C("parent_code", "上级代码"),
        ),
        key=("code",),
    ),
    FileSpec("areas.csv", (R("id", "编号"), R("name", "名称"), R("community_code", "社区代码")), key=("id",)),
    FileSpec(
        "grids.csv",
        (
            R("code", "网格编码"),
            R("name", "名称"),
            R("community_code", "社区代码"),
            C("target_households", "目标户数"),
        ),
        key=("code",),
    ),
    FileSpec(
        "compounds.csv",
        (
            R("id", "编号"),
            R("name", "名称"),
            R("type", "类型", enum=COMPOUND_TYPE),
            R("community_code", "社区代码"),
        ),
        key=("id",),
    ),
    FileSpec(
        "buildings.csv",
        (
            R("code", "楼栋编码"),
            R("name", "名称"),
            R("compound_id", "小区编号"),
            R("grid_code", "网格编码"),
            C("area_id", "片区编号"),
        ),
        key=("code",),
    ),
    FileSpec(
        "dwellings.csv", (R("id", "房屋编号"), R("building_code", "楼栋编码"), C("room", "房号")), key=("id",)
    ),
    FileSpec(
        "households.csv",
        (
            R("key", "户号"),
            R("type", "类型", enum=HOUSEHOLD_TYPE),
            R("hukou_code", "户籍地代码"),
            C("since", "起始"),
        ),
        key=("key",),
    ),
    FileSpec(
        "persons.csv",
        (
            PID,
            R("name", "姓名"),
            R("gender", "性别", enum=GENDER),
            C("birth_date", "出生日期"),
            C("id_number", "身份证号", "公民身份号码"),
            C("phone", "电话", "联系电话", "手机"),
            C("ethnicity", "民族"),
            C("tags", "标签"),
        ),
        key=("pid",),
    ),
    FileSpec(
        "units.csv",
        (
            R("uscc", "统一社会信用代码"),
            R("name", "名称", "单位名称"),
            R("category", "类别", "类型", enum=UNIT_CATEGORY),
            R("community_code", "所在社区"),
        ),
        key=("uscc",),
    ),
    FileSpec(
        "party_orgs.csv",
        (
            R("id", "组织编号"),
            R("name", "名称", "组织名称"),
            R("level", "层级", enum=ORG_LEVEL),
            C("kind", "类型", enum=ORG_KIND),
            C("parent_id", "上级组织"),
            R("community_code", "所在社区"),
            C("covers_type", "覆盖类型", enum=COVERS_TYPE),
            C("covers", "编码", "覆盖对象"),
        ),
        key=("id",),
    ),
    FileSpec(
        "teams.csv",
        (
            R("id", "队伍编号", "编号"),
            R("name", "名称", "队伍名称"),
            C("type", "类型"),
            R("community_code", "社区代码"),
        ),
        key=("id",),
    ),
    FileSpec(
        "collectives.csv",
        (R("uscc", "统一社会信用代码"), R("name", "名称"), R("area_id", "片区编号")),
        key=("uscc",),
    ),
    FileSpec(
        "hukou_members.csv",
        (PID, R("household_key", "户号"), R("rel_to_head", "与户主关系"), SINCE, UNTIL),
        key=("pid", "since"),
    ),
    FileSpec(
        "residences.csv",
        (PID, R("dwelling_id", "房屋编号"), C("tenure", "居住类型", "产权", enum=TENURE), SINCE, UNTIL),
        key=("pid", "since"),
    ),
    FileSpec(
        "party_members.csv",
        (
            PID,
            R("org_id", "组织编号"),
            R("type", "类型", enum=MEMBER_TYPE),
            C("joined", "入党日期"),
            SINCE,
            UNTIL,
        ),
        key=("pid", "since"),
    ),
    FileSpec("employments.csv", (PID, R("uscc", "统一社会信用代码"), SINCE, UNTIL), key=("pid", "since")),
    FileSpec(
        "reports.csv",
        (PID, R("community_code", "社区代码"), C("grid_code", "网格编码"), SINCE, UNTIL),
        key=("pid", "since"),
    ),
    FileSpec(
        "pairings.csv",
        (
            R("uscc", "统一社会信用代码"),
            R("target_type", "对象类型", enum=PAIRING_TARGET),
            R("target", "代码/编号", "代码", "编号", "对象"),
            SINCE,
            UNTIL,
            C("agreement_no", "协议编号"),
        ),
        key=("uscc", "target_type", "target", "since"),
    ),
    FileSpec(
        "team_members.csv",
        (R("team_id", "队伍编号"), PID, C("role", "角色"), SINCE, UNTIL),
        key=("team_id", "pid", "since"),
    ),
    FileSpec(
        "roles.csv",
        (
            PID,
            R("role", "角色", enum=ROLE),
            R("scope_type", "范围类型", enum=SCOPE_TYPE),
            R("scope", "范围"),
            SINCE,
            UNTIL,
        ),
        key=("pid", "role", "scope_type", "scope", "since"),
    ),
    FileSpec(
        "collective_members.csv",
        (PID, R("collective_uscc", "集体经济组织代码"), SINCE, UNTIL),
        key=("pid", "collective_uscc", "since"),
    ),
    FileSpec(
        "evaluations.csv",
        (PID, R("year", "年度"), R("side", "评议方", enum=SIDE), R("grade", "等次", enum=GRADE)),
        key=("pid", "year", "side"),
    ),
    FileSpec(
        "merges.csv",
        (R("old_code", "原代码"), R("new_code", "新代码"), R("on", "日期"), C("doc_no", "文号")),
        key=("old_code",),
    ),
)

BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
