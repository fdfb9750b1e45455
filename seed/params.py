"""Every figure the synthetic district generator uses, each with where it comes from.

The district is modelled on 开福区 (Kaifu District, Changsha, code 430105). Figures marked
"issue" come from the generator's issue text (which took them from the source documents and national
statistics); "七普" is the Seventh National Population Census (第七次全国人口普查, 2020); "SPEC" is
shared/SPEC.md. Figures marked "modelling choice" are ours and say why.

Nothing in ``seed.generate`` spells a number that belongs here.

## The community scheme (issue: "100 communities and 24 villages ... merged into 9 villages and
## 109 communities (6 merged villages, 4 merged communities, each from 2–5 originals)")

A merge of k >= 2 originals removes k and adds 1, so 124 originals with 10 merges can end with at
most 114 active places; 109 + 9 = 118 needs more. The consistent scheme used here:

* 24 original villages: 3 stay villages; 16 are merged into 6 new villages (5, 3, 2, 2, 2, 2);
  5 are merged into 2 new communities (村改居, 3 + 2).
* 100 original communities: 4 are merged into 2 new communities (2 + 2); 96 stay.
* 9 communities were newly established (新设社区) in new residential areas (三角洲, 月湖, 北辰 ...).
* Active: villages 3 + 6 = 9; communities 96 + 4 + 9 = 109. Originals merged away: 25.
  regions.csv holds 124 originals + 10 merged successors + 9 new = 143 community-level rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------
# "Today" of the district: a fixed date, never the wall clock, so a seed gives the same bytes on
# every day (modelling choice). Every date written is on or before it.
TODAY: Final = dt.date(2026, 6, 30)
# The oldest person is born on or after this day (modelling choice: ages up to ~100).
EARLIEST_BIRTH: Final = dt.date(1926, 1, 1)
# Evaluations (双重评议) are for the year before TODAY (issue: "for the last year").
EVALUATION_YEAR: Final = TODAY.year - 1

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------
DISTRICT_CODE: Final = "430105"  # issue: 开福区 (code 430105), 统计用区划代码
DISTRICT_NAME: Final = "开福区"

# Streets of 开福区 (issue: "about 12 streets"); codes are the 9-digit 统计用区划代码 pattern
# district + 3 digits. For each: (suffix, name, original communities, original villages,
# newly established communities). Totals 100 / 24 / 9 (issue; scheme in the module docstring).
# Villages sit in the urban-fringe streets (捞刀河, 沙坪, 青竹湖, 洪山), as in the real district.
STREETS: Final[tuple[tuple[str, str, int, int, int], ...]] = (
    ("001", "东风路街道", 11, 0, 0),
    ("002", "清水塘街道", 10, 0, 0),
    ("003", "望麓园街道", 10, 0, 0),
    ("004", "湘雅路街道", 10, 0, 0),
    ("005", "伍家岭街道", 11, 0, 0),
    ("006", "新河街道", 10, 0, 2),
    ("007", "通泰街街道", 9, 0, 0),
    ("008", "四方坪街道", 10, 0, 2),
    ("009", "洪山街道", 5, 4, 2),
    ("010", "捞刀河街道", 5, 7, 1),
    ("011", "青竹湖街道", 4, 6, 1),
    ("012", "沙坪街道", 5, 7, 1),
)

# Merges (issue: 6 merged villages, 4 merged communities, each from 2–5 originals; merges.csv dated
# and numbered). Each: (street suffix, kind of the successor, originals' kind, how many originals,
# date, 文号). Dates follow Changsha's 2016 村(社区)合并 and the later 村改居 / old-town rounds.
# The first merged village is the 插花式 one (see CHAHUA_*).
MERGES: Final[tuple[tuple[str, str, str, int, dt.date, str], ...]] = (
    ("010", "VILLAGE", "VILLAGE", 5, dt.date(2016, 12, 28), "长开政发〔2016〕41号"),
    ("012", "VILLAGE", "VILLAGE", 3, dt.date(2016, 12, 28), "长开政发〔2016〕41号"),
    ("012", "VILLAGE", "VILLAGE", 2, dt.date(2016, 12, 28), "长开政发〔2016〕41号"),
    ("011", "VILLAGE", "VILLAGE", 2, dt.date(2016, 12, 28), "长开政发〔2016〕42号"),
    ("009", "VILLAGE", "VILLAGE", 2, dt.date(2017, 3, 15), "长开政发〔2017〕8号"),
    ("009", "VILLAGE", "VILLAGE", 2, dt.date(2017, 3, 15), "长开政发〔2017〕8号"),
    ("010", "COMMUNITY", "VILLAGE", 2, dt.date(2018, 6, 30), "长开政发〔2018〕12号"),
    ("011", "COMMUNITY", "VILLAGE", 3, dt.date(2018, 6, 30), "长开政发〔2018〕12号"),
    ("001", "COMMUNITY", "COMMUNITY", 2, dt.date(2019, 12, 20), "长开政发〔2019〕27号"),
    ("007", "COMMUNITY", "COMMUNITY", 2, dt.date(2019, 12, 20), "长开政发〔2019〕27号"),
)
# Community-level edges that only make sense after the merges (reports, teams, pairings with a
# community, community roles) start on or after this day, so they always name an active
# community (IMPORT.md: naming a merged community as a current place is an error).
AFTER_MERGES: Final = dt.date(2020, 1, 1)

# Statistical code numbering inside a street (统计用区划代码 convention: 0xx 社区居委会, 2xx 村委会).
COMMUNITY_CODE_START: Final = 1
VILLAGE_CODE_START: Final = 201

# Outside regions for hukou elsewhere: (6-digit county code, name, weight). Weights: other
# Changsha districts ~25 %, the rest of Hunan ~60 %, other provinces ~15 % (modelling choice after
# 七普 Hunan: most of Changsha's 流动人口 come from inside the province).
OUTSIDE_REGIONS: Final[tuple[tuple[str, str, float], ...]] = (
    ("430102", "芙蓉区", 5.0),
    ("430103", "天心区", 4.0),
    ("430104", "岳麓区", 4.0),
    ("430111", "雨花区", 4.0),
    ("430112", "望城区", 3.0),
    ("430121", "长沙县", 2.5),
    ("430181", "浏阳市", 1.5),
    ("430182", "宁乡市", 1.5),
    ("430602", "岳阳楼区", 4.0),
    ("430621", "岳阳县", 3.0),
    ("430681", "汨罗市", 4.0),
    ("430682", "临湘市", 1.5),
    ("430302", "雨湖区", 2.5),
    ("430321", "湘潭县", 2.5),
    ("430202", "荷塘区", 2.0),
    ("430223", "攸县", 1.5),
    ("430902", "资阳区", 2.0),
    ("430903", "赫山区", 3.0),
    ("430921", "南县", 2.0),
    ("430922", "桃江县", 2.0),
    ("430702", "武陵区", 2.5),
    ("430721", "安乡县", 1.5),
    ("430725", "桃源县", 2.0),
    ("431302", "娄星区", 2.5),
    ("431321", "双峰县", 2.0),
    ("431382", "涟源市", 2.0),
    ("430502", "双清区", 1.5),
    ("430582", "邵东市", 2.0),
    ("430421", "衡阳县", 2.0),
    ("430482", "常宁市", 1.0),
    ("431002", "北湖区", 1.0),
    ("431102", "零陵区", 1.0),
    ("431202", "鹤城区", 1.0),
    ("433101", "吉首市", 1.0),
    ("420106", "武昌区", 1.5),
    ("360102", "东湖区", 1.0),
    ("440106", "天河区", 1.0),
    ("450102", "兴宁区", 0.8),
    ("500103", "渝中区", 0.8),
    ("510104", "锦江区", 0.8),
    ("520102", "南明区", 0.6),
    ("410105", "金水区", 0.6),
    ("650102", "天山区", 0.3),
    ("540102", "城关区", 0.2),
)
# Places of first issue of locally born persons' citizen IDs: 开福区 and the other Changsha codes
# (modelling choice: most locally registered people were first registered in Changsha).
LOCAL_ID_PREFIXES: Final[tuple[tuple[str, float], ...]] = (
    ("430105", 70.0),
    ("430102", 8.0),
    ("430103", 6.0),
    ("430104", 6.0),
    ("430111", 5.0),
    ("430121", 5.0),
)
# Share of persons with hukou elsewhere whose ID was first issued in their hukou region (the rest
# were first issued elsewhere in Hunan); modelling choice.
OUTSIDE_ID_FROM_HUKOU_REGION: Final = 0.8

# ---------------------------------------------------------------------------------------------
# Population: size and spread
# ---------------------------------------------------------------------------------------------
# Residents per active community at the 1M-person scale: 5–10k (issue). Each active community gets
# a weight uniform in this range, so residents per community extrapolated to 1M stay inside it.
COMMUNITY_WEIGHT_RANGE: Final = (0.72, 1.08)
# A part (original community inside a merged one) gets a weight uniform in this range.
PART_WEIGHT_RANGE: Final = (0.6, 1.4)
# Registered in the district but living outside it, or residence unknown: no open residence
# (issue: "some persons with no open residence (residence unknown, a small %)").
UNKNOWN_RESIDENCE_SHARE: Final = 0.03
# Of those, the share that once lived in the district (a closed residence; moved away).
UNKNOWN_WITH_PAST_RESIDENCE: Final = 0.4

# Family household size shares 1/2/3/4/5+ = 25/30/25/12/8 % (issue). The 5+ tail is spread so the
# mean family household size is 2.62 (七普 家庭户平均规模 2.62): 2.08 + 0.08 * 6.83 = 2.63.
HOUSEHOLD_SIZE_SHARES: Final[tuple[tuple[int, float], ...]] = (
    (1, 0.25),
    (2, 0.30),
    (3, 0.25),
    (4, 0.12),
)
LARGE_HOUSEHOLD_SHARE: Final = 0.08
LARGE_HOUSEHOLD_SIZES: Final[tuple[tuple[int, float], ...]] = (
    (5, 0.30),
    (6, 0.24),
    (7, 0.16),
    (8, 0.11),
    (9, 0.08),
    (10, 0.06),
    (11, 0.03),
    (12, 0.02),
)
TARGET_MEAN_HOUSEHOLD_SIZE: Final = 2.62  # 七普, for the tests

# Persons in collective households (集体户): about 8 % (issue). Split into unit dormitories living
# in their community and persons whose hukou sits in another community's public collective
# household (社区公共集体户) while they live here (modelling choice).
COLLECTIVE_DORM_SHARE: Final = 0.06
COLLECTIVE_ELSEWHERE_SHARE: Final = 0.02
DORM_ROOM_SIZE: Final = (2, 6)  # persons per dormitory room

# 人户分离 (issue: 40–60 % of residents hold hukou elsewhere, 10–25 % of registered people live
# elsewhere). Both hold together only if most residents with hukou elsewhere are registered
# outside the district: with h = registered-elsewhere-in-district and o = outside-district shares
# of residents, (h + o) ~ 0.5 and h / (1 - o) ~ 0.18 give o ~ 0.39 (Changsha's 流动人口 share
# per 七普 is of that order). The other line, "a few percent of hukou outside the district",
# cannot hold together with these two (with o at a few percent, h would have to be ~0.45 of
# residents and registered-living-elsewhere ~45 %); the tested 人户分离 figures win, so about 38 %
# of persons hold an OUTSIDE hukou. Shares of resident family households' persons:
OUTSIDE_HUKOU_SHARE: Final = 0.42  # hukou in an OUTSIDE region
ELSEWHERE_IN_DISTRICT_SHARE: Final = 0.11  # hukou in another community of the district
# (the rest: hukou in the community where they live)

# Tenure (OWNER/TENANT/OTHER) by where the hukou is; modelling choice after 七普 住房 tables
# (Changsha: most locals own, most migrants rent).
TENURE_LOCAL: Final = (0.80, 0.15, 0.05)
TENURE_DISTRICT: Final = (0.55, 0.40, 0.05)
TENURE_OUTSIDE: Final = (0.25, 0.70, 0.05)

# Moves (issue: "History: moves with closed residences"): share of resident families with an
# earlier, closed residence in another dwelling, and of those the share whose earlier dwelling is
# in a community generated before (a cross-community move).
MOVED_FAMILY_SHARE: Final = 0.15
MOVED_FROM_OTHER_COMMUNITY: Final = 0.5
# Married-in spouses whose hukou was transferred from another household (closed membership).
HUKOU_TRANSFER_SHARE: Final = 0.35

# Ethnicity (七普 Changsha: 汉族 ~98 %; 土家族, 苗族, 侗族, 瑶族 are Hunan's largest minorities).
ETHNICITIES: Final[tuple[tuple[str, float], ...]] = (
    ("汉族", 97.6),
    ("土家族", 0.75),
    ("苗族", 0.55),
    ("侗族", 0.25),
    ("瑶族", 0.17),
    ("回族", 0.15),
    ("满族", 0.1),
    ("壮族", 0.1),
    ("维吾尔族", 0.12),
    ("蒙古族", 0.05),
    ("白族", 0.05),
    ("藏族", 0.04),
)
# Household composition (modelling choice after 七普 家庭户 by generation: one-generation ~50 %,
# two-generation ~36 %, three-generation and more ~14 %; with these ages about 83 % of persons are
# adults, as in 七普 Changsha where 0–17 is ~17 %).
SINGLE_AGE_BANDS: Final[tuple[tuple[float, float, float], ...]] = (
    (0.30, 18, 30),  # young singles, mostly migrants
    (0.32, 30, 60),
    (0.38, 60, 92),  # elders living alone (空巢/独居)
)
HEAD_MALE_SHARE: Final = 0.68  # 户主 of families with more than one person
COUPLE_SHARE_OF_TWO: Final = 0.62  # two-person households that are couples; the rest parent + child
COUPLE_HEAD_AGE: Final = (23, 85)
SINGLE_PARENT_AGE: Final = (40, 85)
NUCLEAR_HEAD_AGE: Final = (26, 62)  # couples with children (3–5 persons)
HUSBAND_OLDER_YEARS: Final = 2.0  # 七普 average age gap at first marriage
SPOUSE_AGE_SPREAD: Final = 8.0
MIN_SPOUSE_AGE: Final = 20  # legal marriage age for women (婚姻法)
PARENT_AGE_AT_BIRTH: Final = (22, 36)  # a child is this much younger than the parent
GRANDPARENT_GAP: Final = (22, 34)  # the head's parents living in are this much older
MAX_AGE: Final = 99
FOUR_PERSON_TWO_CHILDREN: Final = 0.65  # 4 persons: couple + 2 children (else + 1 child + 1 parent)
FIVE_PERSON_TWO_PARENTS: Final = 0.5  # 5+ persons: both of the head's parents live in ...
FIVE_PERSON_ONE_PARENT: Final = 0.3  # ... or one; else couple + children only
THREE_GENERATION_SHARE_OF_LARGE: Final = 0.6  # 6+ persons: grandparents, married son, grandchildren
GRANDPARENT_HEAD_AGE: Final = (52, 72)
MARRIED_SON_MIN_AGE: Final = 24
IN_LAW_SAME_ETHNICITY: Final = 0.9
DORM_AGE: Final = (18, 45)  # unit dormitories: workers and students
DORM_MALE_SHARE: Final = 0.55
DORM_FROM_OUTSIDE: Final = 0.5  # dormitory residents first registered outside Changsha
COLLECTIVE_SINGLE_AGE: Final = (18, 60)

# Dates of registration and moves (modelling choice: ledgers were rebuilt after 1980; the public
# collective households date from the 2000 community reform, 社区建设).
HUKOU_FROM: Final = dt.date(1980, 1, 1)  # earliest household registration (villagers, outside)
RESIDENCE_FROM: Final = dt.date(1985, 1, 1)  # earliest move-in of today's local families
COLLECTIVE_HOUSEHOLDS_SINCE: Final = dt.date(2000, 1, 1)
LOCAL_FAMILY_SETTLED_AFTER_ADULT_YEARS: Final = 2  # a local family moved in 2+ years after 18
MOVE_IN_WINDOW_YEARS: Final[dict[str, int]] = {
    "OUTSIDE": 15,  # migrants arrived within 15 years
    "VILLAGER_AWAY": 20,  # villagers left their village within 20 years
    "COLLECTIVE_SINGLE": 10,
}
EARLIER_RESIDENCE_WINDOW_YEARS: Final = 15  # an earlier home was taken up to 15 years before
HUKOU_TRANSFER_WINDOW_YEARS: Final = 3  # a spouse's hukou followed within 3 years

# Share of adults without a phone on record, and the age from which a child has one.
NO_PHONE_SHARE: Final = 0.06
PHONE_FROM_AGE: Final = 12
# Mobile prefixes (SPEC: 1[3-9] + 9 digits); the three-digit 号段 of the three carriers.
MOBILE_PREFIXES: Final[tuple[str, ...]] = tuple(
    str.split(
        "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
        "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
    )
)

# Person tags (persons.csv tags); shares of persons of the right kind (modelling choice after
# 民政 ledgers: 退役军人 ~2 % of adult men, 低保 ~1 %, 残疾人 ~2 %).
VETERAN_SHARE_OF_MEN: Final = 0.02
LOW_INCOME_SHARE: Final = 0.01
DISABLED_SHARE: Final = 0.02
LIVING_ALONE_ELDER_AGE: Final = 70

# ---------------------------------------------------------------------------------------------
# Places: grids, compounds, buildings, dwellings
# ---------------------------------------------------------------------------------------------
GRID_TARGET_HOUSEHOLDS: Final = 300  # issue: grids of about 300 households (200–500)
COMPOUNDS_PER_COMMUNITY: Final = (8, 25)  # issue: 8–25 compounds per community
MIN_COMPOUNDS_PER_PART: Final = 2  # an original inside a merged community keeps at least two
VACANCY_RANGE: Final = (0.06, 0.12)  # vacant dwellings (modelling choice; 七普 urban vacancy)
# Compound type mix for communities and villages (issue: the five types).
COMPOUND_TYPES_COMMUNITY: Final[tuple[tuple[str, float], ...]] = (
    ("COMMERCIAL", 0.42),
    ("OLD", 0.25),
    ("WORK_UNIT", 0.15),
    ("RESETTLEMENT", 0.12),
    ("VILLAGE", 0.06),
)
COMPOUND_TYPES_VILLAGE: Final[tuple[tuple[str, float], ...]] = (
    ("VILLAGE", 0.7),
    ("RESETTLEMENT", 0.2),
    ("COMMERCIAL", 0.1),
)
# Per type: (relative size of a compound, dwellings per building at 1M persons, dwellings per
# floor). A high-rise 商品房 tower is ~18 floors x 4; an old walk-up 6 x 4; a village house 2–3
# homes (modelling choice). Smaller districts get smaller buildings, by the square root of
# persons / FULL_SCALE_PERSONS, so a small district still has several homes per building and
# several buildings per compound.
COMPOUND_SHAPES: Final[dict[str, tuple[float, int, int]]] = {
    "COMMERCIAL": (1.6, 72, 4),
    "OLD": (0.8, 24, 4),
    "WORK_UNIT": (0.9, 30, 5),
    "RESETTLEMENT": (1.2, 54, 6),
    "VILLAGE": (0.9, 3, 3),
}
BUILDING_SIZE_SPREAD: Final = 0.3  # a building has its type's size +-30 %
COMPOUND_WEIGHT_SPREAD: Final = (0.5, 1.5)  # a compound has its type's relative size times this
FULL_SCALE_PERSONS: Final = 1_000_000
# Share of communities split into named 片区 (areas.csv rows; the others get the default Area).
NAMED_AREAS_SHARE: Final = 0.2
NAMED_AREAS_PER_COMMUNITY: Final = (2, 3)

# ---------------------------------------------------------------------------------------------
# Collective economy and the 插花式 area
# ---------------------------------------------------------------------------------------------
# Collective orgs exist per original village (issue: "per original village of every merged
# village"; the unmerged and 村改居 villages keep theirs too). In the 插花式 village about 69 % of
# collective-economy members live outside their original village (issue, SPEC: "in one area of
# 开福区 about 69% of collective-economy members live away from their registration").
CHAHUA_AWAY_SHARE: Final = 0.69
# Elsewhere, members living away (modelling choice: the usual 城中村 picture).
COLLECTIVE_AWAY_SHARE: Final = 0.2
# In the 插花式 village most homes are let: only this share of its residents are villagers.
CHAHUA_LOCAL_SHARE: Final = 0.3
COLLECTIVE_FOUNDED: Final = dt.date(2005, 1, 1)  # 股份经济合作社 改制 (modelling choice)
COLLECTIVE_ENDED_SHARE: Final = 0.02  # memberships ended (迁出, 出嫁) with an until

# ---------------------------------------------------------------------------------------------
# Party
# ---------------------------------------------------------------------------------------------
# Party members ~8–10 % of adults (issue; national 9.9 % of adults 2023), ~2 % probationary.
PARTY_SHARE_OF_ADULTS: Final = 0.09
# Relative membership by age band (18–25, 26–35, 36–59, 60+): older cohorts are denser
# (党内统计公报: members are older than the adult population).
PARTY_AGE_BANDS: Final = (26, 36, 60)  # lower bounds of the 2nd, 3rd and 4th band
PARTY_AGE_FACTORS: Final = (0.45, 0.85, 1.05, 1.15)
PROBATIONARY_SHARE: Final = 0.02
ADULT_AGE: Final = 18
# Most members joined within 22 years of turning 18 (党员队伍统计: ~80 % join before 40).
PARTY_JOIN_WINDOW_YEARS: Final = 22
RETIREMENT_AGE: Final = 60  # 退休党员 tag
# In-service members (在职党员): working-age members organised in their employer's branch.
WORKING_AGE: Final = (22, 59)
IN_SERVICE_SHARE: Final = 0.55
# Members whose organisation stayed in another community after they moved (流动党员).
PARTY_STAYED_ELSEWHERE_SHARE: Final = 0.05
# A compound with this many full members (organised where they live) has a branch (issue: 3+).
COMPOUND_BRANCH_MIN_FULL: Final = 3
BUILDING_GROUP_MIN_MEMBERS: Final = 2  # a building with 2+ members of a branch has a 党小组
# Earlier, closed memberships (transferred organisation relation).
PARTY_TRANSFER_SHARE: Final = 0.2
# Members who joined within this many years show their probation year as a closed membership.
PROBATION_SHOWN_YEARS: Final = 3
# Reports (在职党员到社区报到): share of in-service members living in the district who reported,
# and of those the share reporting where they live (issue: "part of them living where they
# reported"); with these shares a 1M-person district has 100–400 per community.
REPORTED_SHARE: Final = 0.85
REPORT_WHERE_LIVING: Final = 0.8
REPORT_ENDED_SHARE: Final = 0.15
# 双重评议 (issue: "evaluations for the last year with some gaps and disagreements").
EVALUATION_ORG_GAP: Final = 0.03
EVALUATION_COMMUNITY_GAP: Final = 0.1
EVALUATION_DISAGREE: Final = 0.12
GRADES: Final[tuple[tuple[str, float], ...]] = (
    ("EXCELLENT", 0.2),
    ("QUALIFIED", 0.75),
    ("BASICALLY_QUALIFIED", 0.04),
    ("UNQUALIFIED", 0.01),
)

# ---------------------------------------------------------------------------------------------
# Units, employment, pairing
# ---------------------------------------------------------------------------------------------
UNITS_PER_COMMUNITY: Final = (8, 22)  # 驻区单位 per active community (modelling choice)
# Category mix of local units: (category, share, USCC registration+type code, party branch kind).
# USCC codes per GB 32100: 11 机关, 12 事业单位, 91 企业, 52 民办非企业单位, 93 农民专业合作社.
# Unit branches are ORGAN (机关/事业) or ENTERPRISE; the 两新组织 (new economic and social
# organisations) count as ENTERPRISE, as the importer expects of a branch covering a unit.
UNIT_CATEGORIES: Final[tuple[tuple[str, float, str, str], ...]] = (
    ("ORGAN", 0.06, "11", "ORGAN"),
    ("INSTITUTION", 0.14, "12", "ORGAN"),
    ("SOE", 0.1, "91", "ENTERPRISE"),
    ("ENTERPRISE", 0.5, "91", "ENTERPRISE"),
    ("SOCIAL_ORG", 0.12, "52", "ENTERPRISE"),
    ("OTHER", 0.08, "93", "ENTERPRISE"),
)
# Share of units of each category with their own party branch (两新组织 coverage is lower).
UNIT_BRANCH_SHARE: Final[dict[str, float]] = {
    "ORGAN": 1.0,
    "INSTITUTION": 1.0,
    "SOE": 1.0,
    "ENTERPRISE": 0.35,
    "SOCIAL_ORG": 0.3,
    "OTHER": 0.2,
}
# A district-wide 共同体 of about 125 units (issue) that pair with communities across streets.
COMMUNITY_OF_UNITS_SIZE: Final = 125
PAIRED_UNITS_PER_COMMUNITY: Final = (5, 15)  # issue
UNPAIRED_COMMUNITY_SHARE: Final = 0.05  # issue: "some with no pairing"
PAIRED_FROM_COMMUNITY_OF_UNITS: Final = 0.6  # the rest are local units
PAIRING_COMPOUND_SHARE: Final = 0.3  # a paired unit also pairs with one of the compounds
PAIRING_PARTY_ORG_SHARE: Final = 0.15  # ... or with a party org of the community
PAIRING_ENDED_PER_COMMUNITY: Final = (1, 4)  # issue: "some pairings ended"
PAIRINGS_FROM: Final = dt.date(2015, 1, 1)
EMPLOYMENT_FROM_AGE: Final = 22  # after college
EMPLOYMENT_WINDOW_YEARS: Final = 30  # current job started within 30 years
NON_MEMBER_EMPLOYMENT_WINDOW_YEARS: Final = 20
EARLIER_EMPLOYMENT_WINDOW_YEARS: Final = 15
EARLIER_EMPLOYMENT_FROM_AGE: Final = 20
# Employed non-members recorded with an employer (modelling choice, keeps the file small).
EMPLOYED_NON_MEMBER_SHARE: Final = 0.05
EARLIER_EMPLOYMENT_SHARE: Final = 0.25

# ---------------------------------------------------------------------------------------------
# Teams and roles
# ---------------------------------------------------------------------------------------------
TEAMS_PER_COMMUNITY: Final = (3, 8)  # issue
TEAM_SIZE_AT_FULL_SCALE: Final = (12, 40)  # members per team in an 8k-resident community
TEAM_TYPES: Final[tuple[tuple[str, str], ...]] = (
    ("银发志愿", "银发先锋志愿服务队"),
    ("骑士志愿", "骑士志愿服务队"),
    ("护学志愿", "护学岗志愿服务队"),
    ("红色物业", "红色物业志愿服务队"),
    ("巾帼志愿", "巾帼志愿服务队"),
    ("青年志愿", "青年突击志愿服务队"),
    ("文明劝导", "文明劝导志愿服务队"),
    ("邻里互助", "邻里互助志愿服务队"),
    ("法律服务", "法律服务志愿服务队"),
    ("应急救援", "应急救援志愿服务队"),
)
TEAM_MEMBER_ENDED_SHARE: Final = 0.15
TEAMS_FROM: Final = dt.date(2020, 3, 5)  # 学雷锋志愿服务日; after the merges
TEAM_MEMBER_AGE: Final = (18, 75)
TEAM_FULL_SIZE_RESIDENTS: Final = 8000  # a community this large has full-size teams
# Roles: 网格化 covered Changsha from 2018; other roles are recorded from 2019; the previous
# community term began with the 2016 村(社区)两委换届.
GRID_WORKERS_FROM: Final = dt.date(2018, 1, 1)
ROLES_FROM: Final = dt.date(2019, 1, 1)
PREVIOUS_TERM_START: Final = dt.date(2016, 3, 31)
GRID_WORKER_AGE: Final = (22, 55)
SECRETARY_AGE: Final = (30, 62)
PROPERTY_MANAGER_AGE: Final = (25, 55)
ROLE_MAX_AGE: Final = 75
GRID_WORKER_REPLACED_SHARE: Final = 0.3  # grids whose earlier 网格员 is on record
SECRETARY_TERM_START: Final = dt.date(2021, 3, 31)  # 2021 村(社区)两委换届
BUILDING_HEAD_SHARE: Final = 0.7
NEIGHBOR_HEAD_SHARE: Final = 0.25
OWNERS_COMMITTEE_SIZE: Final = (3, 5)
CENTRAL_HOUSEHOLD_SHARE: Final = 0.6  # building groups with a 党员中心户

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------
FILES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("regions.csv", ("code", "name", "level", "kind", "parent_code")),
    ("areas.csv", ("id", "name", "community_code")),
    ("merges.csv", ("old_code", "new_code", "on", "doc_no")),
    ("grids.csv", ("code", "name", "community_code", "target_households")),
    ("compounds.csv", ("id", "name", "type", "community_code")),
    ("buildings.csv", ("code", "name", "compound_id", "grid_code", "area_id")),
    ("dwellings.csv", ("id", "building_code", "room")),
    ("households.csv", ("key", "type", "hukou_code", "since")),
    ("persons.csv", ("pid", "name", "gender", "birth_date", "id_number", "phone", "ethnicity", "tags")),
    ("hukou_members.csv", ("pid", "household_key", "rel_to_head", "since", "until")),
    ("residences.csv", ("pid", "dwelling_id", "tenure", "since", "until")),
    (
        "party_orgs.csv",
        ("id", "name", "level", "kind", "parent_id", "community_code", "covers_type", "covers"),
    ),
    ("party_members.csv", ("pid", "org_id", "type", "joined", "since", "until")),
    ("units.csv", ("uscc", "name", "category", "community_code")),
    ("employments.csv", ("pid", "uscc", "since", "until")),
    ("reports.csv", ("pid", "community_code", "grid_code", "since", "until")),
    ("pairings.csv", ("uscc", "target_type", "target", "since", "until", "agreement_no")),
    ("teams.csv", ("id", "name", "type", "community_code")),
    ("team_members.csv", ("team_id", "pid", "role", "since", "until")),
    ("roles.csv", ("pid", "role", "scope_type", "scope", "since", "until")),
    ("collectives.csv", ("uscc", "name", "area_id")),
    ("collective_members.csv", ("pid", "collective_uscc", "since", "until")),
    ("evaluations.csv", ("pid", "year", "side", "grade")),
)
WRITE_CHUNK_ROWS: Final = 20_000  # rows buffered per file before writerows
