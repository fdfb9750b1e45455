"""The synthetic district generator: ``grassroots seed --persons N [--seed S] --out DIR``.

Writes an import bundle in the format of shared/contract/IMPORT.md for a district modelled on
开福区 (figures and their sources: ``seed.params``). The design keeps memory flat in N:

* the place skeleton (streets, communities, merges, compounds, units, collectives) is built first;
  it does not grow with N;
* then the district is generated one active community at a time: its people, households, homes,
  grids, party organisation, teams, roles and pairings. Rows are written at the end of each
  community and the working set is dropped, so peak memory is one community's people.

Things that cross communities are either drawn from the place skeleton (a hukou in another
community, a unit in another street) or carried in small bounded structures (a reservoir of
earlier dwellings for moves, recent household keys for hukou transfers, per-village quotas of
collective members living away).

One ``random.Random(seed)`` drives everything in a fixed order and "today" is a parameter, so the
same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from resolvers.identifiers import USCC_CHARSET, citizen_check_char, uscc_check_char
from seed import names
from seed import params as P

T = TypeVar("T")
Row = tuple[str, ...]

DAYS_PER_YEAR = 365.2425
TODAY_ORD = P.TODAY.toordinal()
BASE_ORD = P.EARLIEST_BIRTH.toordinal()
N_DAYS = TODAY_ORD - BASE_ORD + 1
# born on or before this day = adult today (calendar exact: TODAY is not 29 February)
ADULT_CUTOFF = P.TODAY.replace(year=P.TODAY.year - P.ADULT_AGE).toordinal()
# days after birth from which a person is certainly 18 (18 years hold at most 5 leap days)
ADULT_DAYS = 365 * P.ADULT_AGE + 5
YEAR = 365
# bounded samples that carry history across communities (implementation sizes, not figures)
RECENT_HOUSEHOLDS = 64  # households a married-in spouse's hukou may come from
RESERVOIR = 256  # dwellings of earlier communities a family may have moved from
RESERVOIR_PER_PART = 8


def _ord(day: dt.date) -> int:
    return day.toordinal()


ORD_HUKOU_FROM = _ord(P.HUKOU_FROM)
ORD_RESIDENCE_FROM = _ord(P.RESIDENCE_FROM)
ORD_COLLECTIVE_HOUSEHOLDS = _ord(P.COLLECTIVE_HOUSEHOLDS_SINCE)
ORD_PREVIOUS_TERM = _ord(P.PREVIOUS_TERM_START)
ORD_GRID_WORKERS_FROM = _ord(P.GRID_WORKERS_FROM)
ORD_ROLES_FROM = _ord(P.ROLES_FROM)
ORD_AFTER_MERGES = _ord(P.AFTER_MERGES)
ORD_EVAL_YEAR_END = _ord(dt.date(P.EVALUATION_YEAR, 12, 31))


class Weighted(Generic[T]):
    """A categorical distribution: ``pick(u)`` maps a uniform draw in [0, 1) to a value."""

    __slots__ = ("cum", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        total = sum(w for _, w in pairs)
        acc = 0.0
        cum: list[float] = []
        for _, weight in pairs:
            acc += weight / total
            cum.append(acc)
        cum[-1] = 1.0
        self.cum = cum
        self.values = [v for v, _ in pairs]

    def pick(self, u: float) -> T:
        return self.values[bisect(self.cum, u)]


class Deck:
    """Stratified draws: a shuffled deck holding each value in its exact share, dealt card by card.

    Household sizes come from a deck, so a district of any size has the shares of params up to one
    deck (1,000 households), not up to the sampling noise of independent draws.
    """

    __slots__ = ("cards", "rng", "stack")

    def __init__(self, rng: random.Random, pairs: Sequence[tuple[int, float]], size: int = 1000) -> None:
        total = sum(w for _, w in pairs)
        exact = [size * w / total for _, w in pairs]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(pairs)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: size - sum(counts)]:
            counts[i] += 1
        self.cards = [value for (value, _), n in zip(pairs, counts, strict=True) for _ in range(n)]
        self.rng = rng
        self.stack: list[int] = []

    def deal(self) -> int:
        if not self.stack:
            self.stack = list(self.cards)
            self.rng.shuffle(self.stack)
        return self.stack.pop()


# ---------------------------------------------------------------------------------------------
# The place skeleton
# ---------------------------------------------------------------------------------------------
class Street:
    __slots__ = ("actives", "code", "name", "next_community", "next_village", "originals")

    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name
        self.originals: dict[str, list[Part]] = {"COMMUNITY": [], "VILLAGE": []}
        self.next_community = 0
        self.next_village = 0
        self.actives: list[Active] = []


class Compound:
    __slots__ = ("area_id", "id", "name", "type", "weight")

    def __init__(self, id_: str, name: str, type_: str, weight: float) -> None:
        self.id = id_
        self.name = name
        self.type = type_
        self.weight = weight
        self.area_id = ""


class Part:
    """A community with places of its own: an original (merged or not) or a new community."""

    __slots__ = (
        "active",
        "chahua",
        "code",
        "collective",
        "compounds",
        "dorm_household",
        "kind",
        "merged_on",
        "name",
        "public_household",
        "stem",
        "street",
        "successor",
        "weight",
    )

    def __init__(self, code: str, stem: str, kind: str, street: Street) -> None:
        self.code = code
        self.stem = stem
        self.kind = kind
        self.name = stem + ("村" if kind == "VILLAGE" else "社区")
        self.street = street
        self.successor = ""  # the merged community it became part of
        self.merged_on = 0  # ordinal of that merge; 0 = never merged
        self.weight = 1.0
        self.collective = ""  # USCC of the village's collective economy organisation
        self.chahua = False
        self.compounds: list[Compound] = []
        self.public_household = f"HJ{code}0"  # 社区公共集体户
        self.dorm_household = f"HJ{code}1"  # 单位集体户 (dormitories)
        self.active: Active | None = None

    def code_on(self, day: int) -> str:
        """The community code a hukou registered on ``day`` names (the successor after a merge)."""
        return self.successor if self.merged_on and day >= self.merged_on else self.code


class Unit:
    __slots__ = ("branch", "category", "community_code", "name", "uscc")

    def __init__(self, uscc: str, name: str, category: str, community_code: str) -> None:
        self.uscc = uscc
        self.name = name
        self.category = category
        self.community_code = community_code
        self.branch = ""


class Active:
    """A community active today: an unmerged original, a merged successor or a new community."""

    __slots__ = (
        "code",
        "committee",
        "formed",
        "index",
        "kind",
        "name",
        "parts",
        "persons",
        "stem",
        "street",
        "units",
    )

    def __init__(
        self, code: str, stem: str, kind: str, street: Street, parts: list[Part], formed: int
    ) -> None:
        self.code = code
        self.stem = stem
        self.kind = kind
        self.name = stem + ("村" if kind == "VILLAGE" else "社区")
        self.street = street
        self.parts = parts
        self.formed = formed  # ordinal of the merge that created it; 0 = always existed
        self.persons = 0
        self.index = 0
        self.committee = f"PC{code}"
        self.units: list[Unit] = []


# ---------------------------------------------------------------------------------------------
# The working set of one community
# ---------------------------------------------------------------------------------------------
class Layout:
    """The grids, buildings and dwellings of one part, as parallel lists."""

    __slots__ = (
        "b_code",
        "b_compound",
        "b_grid",
        "b_name",
        "b_residents",
        "dw_building",
        "dw_id",
        "grid_codes",
        "part",
    )

    def __init__(self, part: Part) -> None:
        self.part = part
        self.dw_id: list[str] = []
        self.dw_building: list[int] = []
        self.b_code: list[str] = []
        self.b_name: list[str] = []
        self.b_compound: list[int] = []
        self.b_grid: list[int] = []
        self.b_residents: list[list[Person]] = []
        self.grid_codes: list[str] = []


class Group:
    """People living together in one dwelling (or registered here and living away)."""

    __slots__ = ("collective", "dwelling", "kind", "layout", "members", "move_in", "past", "prior", "tenure")

    def __init__(self, kind: str, tenure: str, move_in: int) -> None:
        self.kind = kind  # S local, M hukou elsewhere in the district, O outside, V villager away,
        # D dormitory, C collective hukou elsewhere, X registered here but living away
        self.tenure = tenure
        self.move_in = move_in
        self.members: list[Person] = []
        self.dwelling = -1
        self.layout: Layout | None = None
        self.prior = 0  # ordinal of an earlier move-in elsewhere; 0 = none
        self.past = (0, 0)  # for X: a closed residence in the district, (since, until)
        self.collective = ""


class Person:
    __slots__ = (
        "birth",
        "group",
        "in_service",
        "joined",
        "org",
        "pid",
        "probationary",
        "row",
        "since",
        "tags",
    )

    def __init__(self, pid: str, row: list[str], birth: int, group: Group) -> None:
        self.pid = pid
        self.row = row  # persons.csv cells without tags
        self.birth = birth
        self.group = group
        self.tags: list[str] | None = None
        self.org = ""  # party org of the open membership
        self.joined = 0
        self.since = 0
        self.probationary = False
        self.in_service = False

    def tag(self, tag: str) -> None:
        if self.tags is None:
            self.tags = [tag]
        elif tag not in self.tags:
            self.tags.append(tag)


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------
class DistrictGenerator:
    def __init__(self, persons: int, seed: int, out: Path, progress: bool = False) -> None:
        if persons < 1:
            raise ValueError("--persons must be at least 1")
        self.total_persons = persons
        self.out = out
        self.progress = progress
        self.rng = random.Random(seed)
        self.r: Callable[[], float] = self.rng.random
        # small districts keep multi-dwelling buildings: sizes shrink with the square root of scale
        self.building_scale = math.sqrt(min(1.0, persons / P.FULL_SCALE_PERSONS))
        self.iso = [dt.date.fromordinal(o).isoformat() for o in range(BASE_ORD, TODAY_ORD + 1)]
        self.digits = [s.replace("-", "") for s in self.iso]
        self.counts: dict[str, int] = {name: 0 for name, _ in P.FILES}
        self.buffers: dict[str, list[Row]] = {name: [] for name, _ in P.FILES}
        self.files: list[IO[str]] = []
        self.writers: dict[str, Any] = {}
        self._tables()
        self.next_person = 1
        self.generated = 0  # persons generated so far in the community being generated
        self.next_household = 1
        self.next_agreement = 1
        self.uscc_serial = 0
        self.recent_households: list[tuple[str, int]] = []
        self.dwelling_reservoir: list[str] = []
        self.quotas: list[list[Any]] = []  # [village part, persons still to place, cap per community]
        self.streets: list[Street] = []
        self.actives: list[Active] = []
        self.units: list[Unit] = []
        self.branch_units: list[Unit] = []
        self.coalition: list[Unit] = []
        # the party organisation of the community being generated
        self.members: list[Person] = []
        self.compound_branches: dict[str, str] = {}
        self.building_groups: list[tuple[str, list[Person]]] = []

    # --- tables -------------------------------------------------------------------------------
    def _tables(self) -> None:
        factors = names.HUNAN_FACTORS
        self.surnames = Weighted([(s, w * factors.get(s, 1.0)) for s, w in names.SURNAMES])
        self.ethnicities = Weighted(P.ETHNICITIES)
        self.outside = Weighted([((code, name), w) for code, name, w in P.OUTSIDE_REGIONS])
        hunan = [(code, w) for code, _, w in P.OUTSIDE_REGIONS if code.startswith("43")]
        self.hunan_prefixes = Weighted(hunan)
        self.local_prefixes = Weighted(P.LOCAL_ID_PREFIXES)
        prefixes: list[str] = []
        for code, _ in (*P.LOCAL_ID_PREFIXES, *((c, w) for c, _, w in P.OUTSIDE_REGIONS)):
            if code not in prefixes:
                prefixes.append(code)
        self.prefixes = prefixes
        self.prefix_index = {code: i for i, code in enumerate(prefixes)}
        # persons already numbered per (place of first issue, birth day, gender): the sequence
        # digits of the citizen ID, so IDs are unique without remembering any of them
        self.id_counters = bytearray(len(prefixes) * N_DAYS * 2)
        sizes = [(k, share) for k, share in P.HOUSEHOLD_SIZE_SHARES]
        sizes += [(k, P.LARGE_HOUSEHOLD_SHARE * share) for k, share in P.LARGE_HOUSEHOLD_SIZES]
        self.household_sizes = Deck(self.rng, sizes)
        self.tenures = {
            kind: Weighted(list(zip(("OWNER", "TENANT", "OTHER"), shares, strict=True)))
            for kind, shares in (("S", P.TENURE_LOCAL), ("M", P.TENURE_DISTRICT), ("O", P.TENURE_OUTSIDE))
        }
        self.tenures["V"] = self.tenures["M"]
        self.grades = Weighted(P.GRADES)
        self.unit_categories = Weighted([((c, code, kind), s) for c, s, code, kind in P.UNIT_CATEGORIES])
        self.compound_types = {
            "COMMUNITY": Weighted(P.COMPOUND_TYPES_COMMUNITY),
            "VILLAGE": Weighted(P.COMPOUND_TYPES_VILLAGE),
        }
        # group kinds per draw, so that persons (not groups) have the shares of params
        residents = 1.0 - P.UNKNOWN_RESIDENCE_SHARE
        dorm = P.COLLECTIVE_DORM_SHARE / residents
        single = P.COLLECTIVE_ELSEWHERE_SHARE / residents
        family = 1.0 - dorm - single
        mean_family = sum(k * s for k, s in sizes)
        mean_dorm = sum(P.DORM_ROOM_SIZE) / 2
        weights = (dorm / mean_dorm, single, family / mean_family)
        self.p_dorm = weights[0] / sum(weights)
        self.p_single = weights[1] / sum(weights)
        self.mobile = P.MOBILE_PREFIXES
        self.given: dict[tuple[int, str], tuple[tuple[str, ...], str, float]] = dict(names.GIVEN_NAMES)

    # --- small draws ----------------------------------------------------------------------------
    def _between(self, lo: int, hi: int) -> int:
        """A day uniformly in [lo, hi]; ``hi`` when the range is empty."""
        if lo >= hi:
            return hi
        return lo + int(self.r() * (hi - lo + 1))

    def _int(self, lo: int, hi: int) -> int:
        return lo + int(self.r() * (hi - lo + 1))

    def _given_name(self, male: bool, birth: int) -> str:
        year = P.EARLIEST_BIRTH.year + (birth - BASE_ORD) // 365
        cohort = bisect(names.COHORT_BOUNDS, year)
        fulls, chars, single = self.given[(cohort, "M" if male else "F")]
        r = self.r
        u = r()
        if u < single:
            name = chars[int(r() * len(chars))]
        elif u < single + (1.0 - single) * 0.5:
            name = fulls[int(r() * len(fulls))]
        else:
            name = chars[int(r() * len(chars))] + chars[int(r() * len(chars))]
        if r() < names.RARE_GIVEN_SHARE:
            name = name[:-1] + names.RARE_GIVEN_CHARS[int(r() * len(names.RARE_GIVEN_CHARS))]
        return name

    def _full_name(self, surname: str, male: bool, birth: int, eth: str) -> str:
        r = self.r
        if eth == "维吾尔族":
            given = names.UYGHUR_GIVEN["M" if male else "F"]
            father = names.UYGHUR_FATHER
            return given[int(r() * len(given))] + "·" + father[int(r() * len(father))]
        if eth == "藏族":
            parts = names.TIBETAN_PARTS
            return parts[int(r() * len(parts))] + parts[int(r() * len(parts))]
        return surname + self._given_name(male, birth)

    def _citizen_id(self, prefix: str, birth: int, male: bool) -> str:
        day = birth - BASE_ORD
        counters = self.id_counters
        n_prefixes = len(self.prefixes)
        index = self.prefix_index[prefix]
        for _ in range(n_prefixes):
            slot = (index * N_DAYS + day) * 2 + male
            n = counters[slot]
            if n < 250:
                counters[slot] = n + 1
                break
            index = (index + 1) % n_prefixes  # that day is full here: first issued next door
        else:
            raise RuntimeError("more than 250 persons of one gender born on one day in every place")
        # 3 sequence digits: two scrambled (7 is invertible mod 100, so distinct n stay distinct),
        # the last odd for men and even for women (GB 11643)
        first17 = (
            f"{self.prefixes[index]}{self.digits[day]}{(n // 5 * 7 + day) % 100:02d}{2 * (n % 5) + male}"
        )
        return first17 + citizen_check_char(first17)

    def _new_person(
        self, group: Group, rel: str, male: bool, age: float, name: str, eth: str, prefix: str
    ) -> Person:
        idx = self.next_person
        self.next_person = idx + 1
        self.generated += 1
        birth = TODAY_ORD - int(age * DAYS_PER_YEAR)
        if birth < BASE_ORD:
            birth = BASE_ORD
        if not name:
            name = self._full_name(self.surnames.pick(self.r()), male, birth, eth)
        pid = f"P{idx:07d}"
        r = self.r
        if age < P.PHONE_FROM_AGE or r() < P.NO_PHONE_SHARE:
            phone = ""
        else:
            # the last 8 digits are a bijection of the person number: phones never repeat
            phone = self.mobile[int(r() * len(self.mobile))] + f"{(idx * 48271 + 13579) % 100_000_000:08d}"
        row = [
            pid,
            name,
            "M" if male else "F",
            self.iso[birth - BASE_ORD],
            self._citizen_id(prefix, birth, male),
            phone,
            eth,
        ]
        person = Person(pid, row, birth, group)
        group.members.append(person)
        return person

    # --- households -------------------------------------------------------------------------------
    def _compose(self, k: int) -> list[tuple[str, bool, float]]:
        """Relations to the head, genders and ages of a family household of ``k`` persons."""
        r = self.r
        if k == 1:
            u = r()
            lo, hi = P.SINGLE_AGE_BANDS[-1][1:]
            for share, band_lo, band_hi in P.SINGLE_AGE_BANDS:
                if u < share:
                    lo, hi = band_lo, band_hi
                    break
                u -= share
            return [("户主", r() < 0.5, lo + r() * (hi - lo))]
        male = r() < P.HEAD_MALE_SHARE
        if k == 2:
            if r() < P.COUPLE_SHARE_OF_TWO:
                a = self._age(P.COUPLE_HEAD_AGE)
                return [("户主", male, a), ("配偶", not male, self._spouse_age(a, male))]
            a = self._age(P.SINGLE_PARENT_AGE)
            return [("户主", male, a), ("子女", r() < 0.5, self._child_age(a))]
        if k >= 6 and r() < P.THREE_GENERATION_SHARE_OF_LARGE:
            # grandparents with a married son, his wife and their children
            a = self._age(P.GRANDPARENT_HEAD_AGE)
            son = max(float(P.MARRIED_SON_MIN_AGE), self._child_age(a))
            out = [
                ("户主", male, a),
                ("配偶", not male, self._spouse_age(a, male)),
                ("子女", True, son),
                ("其他", False, self._spouse_age(son, True)),
            ]
            out += [("孙子女", r() < 0.5, self._child_age(son)) for _ in range(k - 4)]
            return out
        a = self._age(P.NUCLEAR_HEAD_AGE)
        parents = 0
        if k == 4 and r() >= P.FOUR_PERSON_TWO_CHILDREN:
            parents = 1
        elif k >= 5:
            u = r()
            if u < P.FIVE_PERSON_TWO_PARENTS:
                parents = 2
            elif u < P.FIVE_PERSON_TWO_PARENTS + P.FIVE_PERSON_ONE_PARENT:
                parents = 1
        out = [("户主", male, a), ("配偶", not male, self._spouse_age(a, male))]
        out += [("子女", r() < 0.5, self._child_age(a)) for _ in range(k - 2 - parents)]
        for i in range(parents):
            out.append(("父母", i == 0, min(float(P.MAX_AGE), a + self._age(P.GRANDPARENT_GAP))))
        return out

    def _age(self, bounds: tuple[float, float]) -> float:
        return bounds[0] + self.r() * (bounds[1] - bounds[0])

    def _spouse_age(self, a: float, head_male: bool) -> float:
        gap = -P.HUSBAND_OLDER_YEARS if head_male else P.HUSBAND_OLDER_YEARS
        age = a + (self.r() - 0.5) * P.SPOUSE_AGE_SPREAD + gap
        return min(float(P.MAX_AGE), max(float(P.MIN_SPOUSE_AGE), age))

    def _child_age(self, parent: float) -> float:
        age = parent - self._age(P.PARENT_AGE_AT_BIRTH)
        if age < 0:  # a young parent: a young child
            age = self.r() * max(0.1, parent - P.PARENT_AGE_AT_BIRTH[0])
        return max(0.0, age)

    def _family(self, ac: Active, part: Part, k: int, kind: str, home: Part | None = None) -> Group:
        """A family household of ``k`` persons living in ``part`` (or, kind X, registered there)."""
        r = self.r
        specs = self._compose(k)
        eth = self.ethnicities.pick(r())
        line = self.surnames.pick(r())  # the children's surname
        head_male = specs[0][1]
        head_birth = TODAY_ORD - int(specs[0][2] * DAYS_PER_YEAR)
        adult = head_birth + ADULT_DAYS
        collective = ""
        region = ""
        if kind == "S":
            if part.collective:  # villagers: registered in their village long ago
                registered = self._between(max(adult, ORD_HUKOU_FROM), TODAY_ORD)
                move_in = registered
                collective = part.collective
            else:
                settled = adult + P.LOCAL_FAMILY_SETTLED_AFTER_ADULT_YEARS * YEAR
                move_in = self._between(max(settled, ORD_RESIDENCE_FROM), TODAY_ORD)
                registered = move_in
            code = part.code_on(registered)
        elif kind == "X":
            registered = self._between(max(adult, ORD_RESIDENCE_FROM), TODAY_ORD)
            move_in = 0
            code = part.code_on(registered)
        elif kind == "M":
            other = self._other_part(ac)
            registered = self._between(max(adult, ORD_RESIDENCE_FROM), TODAY_ORD - YEAR)
            move_in = self._between(max(registered, adult), TODAY_ORD)
            code = other.code_on(registered)
        elif kind == "V":
            assert home is not None
            registered = self._between(max(adult, ORD_HUKOU_FROM), TODAY_ORD)
            window = P.MOVE_IN_WINDOW_YEARS["VILLAGER_AWAY"] * YEAR
            move_in = self._between(max(adult, TODAY_ORD - window), TODAY_ORD)
            code = home.code_on(registered)
            collective = home.collective
        else:  # O
            code, _ = self.outside.pick(r())
            region = code
            registered = self._between(max(adult, ORD_HUKOU_FROM), TODAY_ORD)
            window = P.MOVE_IN_WINDOW_YEARS["OUTSIDE"] * YEAR
            move_in = self._between(max(adult, TODAY_ORD - window), TODAY_ORD)
        tenure = "" if kind == "X" else self.tenures[kind].pick(r())
        group = Group(kind, tenure, move_in)
        group.collective = collective
        if kind != "X" and r() < P.MOVED_FAMILY_SHARE:
            lo = max(adult, move_in - P.EARLIER_RESIDENCE_WINDOW_YEARS * YEAR)
            if lo < move_in - 30:
                group.prior = self._between(lo, move_in - 30)
        key = f"H{self.next_household:07d}"
        self.next_household += 1
        self.buffers["households.csv"].append((key, "FAMILY", code, self.iso[registered - BASE_ORD]))
        hukou = self.buffers["hukou_members.csv"]
        iso = self.iso
        # the children carry the father's surname; a mother heading the household keeps her own
        has_husband = any(rel == "配偶" and male for rel, male, _ in specs)
        head_surname = line if head_male or not has_husband else self.surnames.pick(r())
        for rel, male, age in specs:
            person_eth = eth if rel != "其他" or r() < P.IN_LAW_SAME_ETHNICITY else self.ethnicities.pick(r())
            if rel in ("子女", "孙子女"):
                surname = line
            elif rel == "户主":
                surname = head_surname
            elif rel == "配偶":
                surname = line if male else self.surnames.pick(r())
            elif rel == "父母" and male:
                surname = head_surname
            else:
                surname = self.surnames.pick(r())
            if region and r() < P.OUTSIDE_ID_FROM_HUKOU_REGION:
                prefix = region
            elif region:
                prefix = self.hunan_prefixes.pick(r())
            else:
                prefix = self.local_prefixes.pick(r())
            birth = TODAY_ORD - int(age * DAYS_PER_YEAR)
            name = self._full_name(surname, male, birth, person_eth)
            person = self._new_person(group, rel, male, age, name, person_eth, prefix)
            since = max(registered, person.birth)
            if rel == "配偶" and r() < P.HUKOU_TRANSFER_SHARE and self.recent_households:
                # married in: the hukou came from the spouse's parents' household
                moved = min(TODAY_ORD, since + int(r() * P.HUKOU_TRANSFER_WINDOW_YEARS * YEAR))
                old_key, old_since = self.recent_households[int(r() * len(self.recent_households))]
                start = max(old_since, person.birth)
                if start < moved:
                    hukou.append((person.pid, old_key, "子女", iso[start - BASE_ORD], iso[moved - BASE_ORD]))
                    since = moved
            hukou.append((person.pid, key, rel, iso[since - BASE_ORD], ""))
        recent = self.recent_households  # a bounded sample of earlier households (memory stays flat)
        if len(recent) < RECENT_HOUSEHOLDS:
            recent.append((key, registered))
        else:
            recent[int(r() * RECENT_HOUSEHOLDS)] = (key, registered)
        return group

    def _other_part(self, ac: Active) -> Part:
        """A part of another active community, for a hukou elsewhere in the district."""
        actives = self.actives
        i = int(self.r() * (len(actives) - 1))
        if i >= ac.index:
            i += 1
        parts = actives[i].parts
        return parts[int(self.r() * len(parts))]

    def _resident_groups(self, ac: Active, part: Part, until: int, quota_used: list[int]) -> list[Group]:
        """Groups living in ``part`` until the community has ``until`` persons; a family is cut
        only where the community's total would be exceeded."""
        r = self.r
        groups: list[Group] = []
        p_dorm = self.p_dorm
        p_collective = self.p_dorm + self.p_single
        if part.chahua:
            local = P.CHAHUA_LOCAL_SHARE
        else:
            local = 1.0 - P.OUTSIDE_HUKOU_SHARE - P.ELSEWHERE_IN_DISTRICT_SHARE
        elsewhere = local + P.ELSEWHERE_IN_DISTRICT_SHARE
        iso = self.iso
        hukou = self.buffers["hukou_members.csv"]
        while self.generated < until:
            remaining = ac.persons - self.generated
            u = r()
            if u < p_dorm:
                lo, hi = P.DORM_ROOM_SIZE
                size = min(remaining, self._int(lo, hi))
                group = Group("D", "OTHER", 0)
                for _ in range(size):
                    male = r() < P.DORM_MALE_SHARE
                    age = self._age(P.DORM_AGE)
                    if r() < P.DORM_FROM_OUTSIDE:
                        prefix = self.outside.pick(r())[0]
                    else:
                        prefix = self.local_prefixes.pick(r())
                    person = self._new_person(
                        group, "集体户成员", male, age, "", self.ethnicities.pick(r()), prefix
                    )
                    arrived = self._between(
                        max(person.birth + ADULT_DAYS, ORD_COLLECTIVE_HOUSEHOLDS), TODAY_ORD
                    )
                    hukou.append((person.pid, part.dorm_household, "集体户成员", iso[arrived - BASE_ORD], ""))
                    if group.move_in == 0 or arrived < group.move_in:
                        group.move_in = arrived
            elif u < p_collective:
                other = self._other_part(ac)
                group = Group("C", "TENANT", 0)
                male = r() < 0.5
                prefix = self.local_prefixes.pick(r())
                person = self._new_person(
                    group,
                    "集体户成员",
                    male,
                    self._age(P.COLLECTIVE_SINGLE_AGE),
                    "",
                    self.ethnicities.pick(r()),
                    prefix,
                )
                adult = person.birth + ADULT_DAYS
                registered = self._between(max(adult, ORD_COLLECTIVE_HOUSEHOLDS), TODAY_ORD)
                hukou.append(
                    (person.pid, other.public_household, "集体户成员", iso[registered - BASE_ORD], "")
                )
                window = P.MOVE_IN_WINDOW_YEARS["COLLECTIVE_SINGLE"] * YEAR
                group.move_in = self._between(max(adult, TODAY_ORD - window), TODAY_ORD)
            else:
                k = min(remaining, self.household_sizes.deal())
                u = r()
                if u < local:
                    group = self._family(ac, part, k, "S")
                elif u < elsewhere:
                    home = self._take_quota(quota_used)
                    if home is not None:
                        k = min(k, self._quota_room(home))
                        group = self._family(ac, part, k, "V", home)
                        self._use_quota(home, len(group.members), quota_used)
                    else:
                        group = self._family(ac, part, k, "M")
                else:
                    group = self._family(ac, part, k, "O")
            groups.append(group)
        return groups

    # quotas of collective members living away from their village, placed by later communities
    def _take_quota(self, used: list[int]) -> Part | None:
        for i, (village, left, cap) in enumerate(self.quotas):
            if left > 0 and used[i] < cap:
                part: Part = village
                return part
        return None

    def _quota_room(self, village: Part) -> int:
        """Persons still to place for ``village``; a family is never cut to fit the per-community cap."""
        for part, left, _ in self.quotas:
            if part is village:
                return int(left)
        return 0

    def _use_quota(self, village: Part, persons: int, used: list[int]) -> None:
        for i, quota in enumerate(self.quotas):
            if quota[0] is village:
                quota[1] -= persons
                used[i] += persons
                return

    # --- places -------------------------------------------------------------------------------------
    def _lay_out(self, part: Part, groups: list[Group]) -> Layout:
        """Compounds, buildings, dwellings and grids of ``part`` sized for its groups; assigns homes."""
        r = self.r
        layout = Layout(part)
        compounds = part.compounds
        vacancy = P.VACANCY_RANGE[0] + r() * (P.VACANCY_RANGE[1] - P.VACANCY_RANGE[0])
        n_dwellings = max(len(compounds), math.ceil(len(groups) / (1.0 - vacancy)))
        # dwellings per compound: proportional to weight, at least one each (largest remainder)
        total_weight = sum(c.weight for c in compounds)
        spare = n_dwellings - len(compounds)
        exact = [spare * c.weight / total_weight for c in compounds]
        counts = [1 + int(x) for x in exact]
        order = sorted(range(len(compounds)), key=lambda i: int(exact[i]) - exact[i])
        for i in order[: n_dwellings - sum(counts)]:
            counts[i] += 1
        dw_id = layout.dw_id
        dw_building = layout.dw_building
        b_code = layout.b_code
        b_compound = layout.b_compound
        b_names = layout.b_name
        for ci, (compound, count) in enumerate(zip(compounds, counts, strict=True)):
            _, base, per_floor = P.COMPOUND_SHAPES[compound.type]
            size = max(1, round(base * self.building_scale))
            number = 0
            while count > 0:
                number += 1
                n = min(count, max(1, round(size * (1.0 + P.BUILDING_SIZE_SPREAD * (2 * r() - 1)))))
                count -= n
                code = f"{part.code}{len(b_code) + 1:04d}"
                b = len(b_code)
                b_code.append(code)
                b_compound.append(ci)
                b_names.append(f"{number}号" if compound.type == "VILLAGE" else f"{number}栋")
                if compound.type == "VILLAGE":
                    rooms = [f"{i + 1:02d}" for i in range(n)]
                else:
                    rooms = [f"{i // per_floor + 1}{i % per_floor + 1:02d}" for i in range(n)]
                for room in rooms:
                    dw_id.append(f"{code}-{room}")
                    dw_building.append(b)
        # homes: groups take a random subset of the dwellings; the rest stand empty
        slots = list(range(len(dw_id)))
        self.rng.shuffle(slots)
        occupied = [0] * len(b_code)
        residents: list[list[Person]] = [[] for _ in b_code]
        for group, slot in zip(groups, slots, strict=False):
            group.dwelling = slot
            group.layout = layout
            b = dw_building[slot]
            occupied[b] += 1
            residents[b].extend(group.members)
        layout.b_residents = residents
        # grids of about GRID_TARGET_HOUSEHOLDS occupied homes, whole buildings in order
        n_grids = max(1, round(len(groups) / P.GRID_TARGET_HOUSEHOLDS))
        total = max(1, len(groups))
        grid_codes = [f"{part.code}{g + 1:02d}" for g in range(n_grids)]
        layout.grid_codes = grid_codes
        cum = 0
        b_grid = layout.b_grid
        for b in range(len(b_code)):
            b_grid.append(min(n_grids - 1, cum * n_grids // total))
            cum += occupied[b]
        buf = self.buffers
        buf["grids.csv"].extend(
            (code, f"{part.stem}第{g + 1}网格", part.code, str(P.GRID_TARGET_HOUSEHOLDS))
            for g, code in enumerate(grid_codes)
        )
        buf["compounds.csv"].extend((c.id, c.name, c.type, part.code) for c in compounds)
        buf["buildings.csv"].extend(
            (
                code,
                b_names[b],
                compounds[b_compound[b]].id,
                grid_codes[b_grid[b]],
                compounds[b_compound[b]].area_id,
            )
            for b, code in enumerate(b_code)
        )
        buf["dwellings.csv"].extend(
            (d, b_code[b], d[d.index("-") + 1 :]) for d, b in zip(dw_id, dw_building, strict=True)
        )
        return layout

    def _residences(self, groups: list[Group], layout: Layout) -> None:
        r = self.r
        iso = self.iso
        rows = self.buffers["residences.csv"]
        reservoir = self.dwelling_reservoir
        dw_id = layout.dw_id
        for group in groups:
            if group.dwelling < 0:
                continue
            home = dw_id[group.dwelling]
            move_in = group.move_in
            tenure = group.tenure
            prior_home = ""
            if group.prior:
                if reservoir and r() < P.MOVED_FROM_OTHER_COMMUNITY:
                    prior_home = reservoir[int(r() * len(reservoir))]
                else:
                    prior_home = dw_id[int(r() * len(dw_id))]
                if prior_home == home:
                    prior_home = ""
            for person in group.members:
                since = person.birth if person.birth > move_in else move_in
                if prior_home and person.birth < move_in:
                    start = max(group.prior, person.birth)
                    rows.append(
                        (person.pid, prior_home, "TENANT", iso[start - BASE_ORD], iso[move_in - BASE_ORD])
                    )
                rows.append((person.pid, home, tenure, iso[since - BASE_ORD], ""))
        # a few of this part's dwellings become the earlier homes of families met later
        for _ in range(RESERVOIR_PER_PART):
            d = dw_id[int(r() * len(dw_id))]
            if len(reservoir) < RESERVOIR:
                reservoir.append(d)
            else:
                reservoir[int(r() * RESERVOIR)] = d

    # --- the skeleton -------------------------------------------------------------------------------
    def _uscc(self, head: str, enterprise: bool) -> str:
        """A valid USCC: registration and type code, 430105, a GB 11714 organisation code, check."""
        self.uscc_serial += 1
        charset = USCC_CHARSET
        n = (self.uscc_serial * 7919 + 104729) % (31**6 if enterprise else 10**8)
        if enterprise:
            body = "MA"
            chars = ""
            for _ in range(6):
                n, v = divmod(n, 31)
                chars = charset[v] + chars
            body += chars
        else:
            body = f"{n:08d}"
        values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
        total = sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = 11 - total % 11
        body += "X" if check == 10 else ("0" if check == 11 else str(check))
        first17 = head + P.DISTRICT_CODE + body
        return first17 + uscc_check_char(first17)

    def _build_places(self) -> None:
        r = self.r
        rng = self.rng
        stems = list(names.PLACE_STEMS)
        rng.shuffle(stems)
        merged_stems = list(names.MERGED_STEMS)
        rng.shuffle(merged_stems)
        regions = self.buffers["regions.csv"]
        regions.append((P.DISTRICT_CODE, P.DISTRICT_NAME, "DISTRICT", "", ""))
        community_rows: list[Row] = []
        parts_new: list[Part] = []
        by_suffix: dict[str, Street] = {}
        for suffix, street_name, n_communities, n_villages, n_new in P.STREETS:
            street = Street(P.DISTRICT_CODE + suffix, street_name)
            self.streets.append(street)
            by_suffix[suffix] = street
            regions.append((street.code, street.name, "STREET", "", P.DISTRICT_CODE))
            for i in range(n_communities):
                street.originals["COMMUNITY"].append(
                    Part(f"{street.code}{P.COMMUNITY_CODE_START + i:03d}", stems.pop(), "COMMUNITY", street)
                )
            for i in range(n_new):
                code = f"{street.code}{P.COMMUNITY_CODE_START + n_communities + i:03d}"
                parts_new.append(Part(code, stems.pop(), "COMMUNITY", street))
            for i in range(n_villages):
                street.originals["VILLAGE"].append(
                    Part(f"{street.code}{P.VILLAGE_CODE_START + i:03d}", stems.pop(), "VILLAGE", street)
                )
            street.next_community = P.COMMUNITY_CODE_START + n_communities + n_new
            street.next_village = P.VILLAGE_CODE_START + n_villages
        merges = self.buffers["merges.csv"]
        merged: list[Part] = []
        actives: list[Active] = []
        for m, (suffix, kind, original_kind, k, on, doc_no) in enumerate(P.MERGES):
            street = by_suffix[suffix]
            pool = [p for p in street.originals[original_kind] if not p.successor]
            originals = pool[-k:]
            if kind == "VILLAGE":
                code = f"{street.code}{street.next_village:03d}"
                street.next_village += 1
            else:
                code = f"{street.code}{street.next_community:03d}"
                street.next_community += 1
            active = Active(code, merged_stems[m], kind, street, originals, _ord(on))
            actives.append(active)
            for part in originals:
                part.successor = code
                part.merged_on = _ord(on)
                part.weight = P.PART_WEIGHT_RANGE[0] + r() * (P.PART_WEIGHT_RANGE[1] - P.PART_WEIGHT_RANGE[0])
                merges.append((part.code, code, on.isoformat(), doc_no))
                merged.append(part)
            community_rows.append((code, active.name, "COMMUNITY", kind, street.code))
            if m == 0:
                originals[0].chahua = True
        for street in self.streets:
            for kind in ("COMMUNITY", "VILLAGE"):
                for part in street.originals[kind]:
                    community_rows.append((part.code, part.name, "COMMUNITY", kind, street.code))
                    if not part.successor:
                        actives.append(Active(part.code, part.stem, kind, street, [part], 0))
        for part in parts_new:
            community_rows.append((part.code, part.name, "COMMUNITY", "COMMUNITY", part.street.code))
            actives.append(Active(part.code, part.stem, "COMMUNITY", part.street, [part], 0))
        community_rows.sort()
        regions.extend(community_rows)
        regions.extend((code, name, "OUTSIDE", "", "") for code, name, _ in P.OUTSIDE_REGIONS)
        actives.sort(key=lambda a: a.code)
        for i, active in enumerate(actives):
            active.index = i
            active.street.actives.append(active)
            for part in active.parts:
                part.active = active
        self.actives = actives
        # residents: each active community's share of the persons
        lo, hi = P.COMMUNITY_WEIGHT_RANGE
        weights = [lo + r() * (hi - lo) for _ in actives]
        total = sum(weights)
        shares = [self.total_persons * w / total for w in weights]
        for active, share in zip(actives, shares, strict=True):
            active.persons = int(share)
        for active in actives[: self.total_persons - sum(a.persons for a in actives)]:
            active.persons += 1
        # compounds: 8–25 per active community, split over its parts
        areas = self.buffers["areas.csv"]
        for active in actives:
            n = self._int(*P.COMPOUNDS_PER_COMMUNITY)
            parts = active.parts
            part_weight = sum(p.weight for p in parts)
            for part in parts:
                share = (
                    n
                    if len(parts) == 1
                    else max(P.MIN_COMPOUNDS_PER_PART, round(n * part.weight / part_weight))
                )
                self._compounds(part, share)
            if len(parts) == 1 and active.kind == "COMMUNITY" and r() < P.NAMED_AREAS_SHARE:
                part = parts[0]
                n_areas = self._int(*P.NAMED_AREAS_PER_COMMUNITY)
                ids = [f"{part.code}-{i + 1}" for i in range(n_areas)]
                for i, area_id in enumerate(ids):
                    areas.append((area_id, f"{part.name}{'东西南北'[i]}片区", part.code))
                for ci, compound in enumerate(part.compounds):
                    compound.area_id = ids[ci * n_areas // len(part.compounds)]
        # collective economy organisations: one per original village, in its default Area
        collectives = self.buffers["collectives.csv"]
        for street in self.streets:
            for part in street.originals["VILLAGE"]:
                part.collective = self._uscc("N2", False)
                collectives.append((part.collective, f"{part.stem}村股份经济合作社", part.code))

    def _compounds(self, part: Part, n: int) -> None:
        r = self.r
        types = self.compound_types[part.kind]
        stems = names.COMPOUND_STEMS
        owners = names.WORK_UNIT_OWNERS
        village_groups = 0
        for i in range(n):
            type_ = types.pick(r())
            suffixes = names.COMPOUND_SUFFIXES[type_]
            suffix = suffixes[int(r() * len(suffixes))]
            if type_ == "VILLAGE":
                village_groups += 1
                name = f"{part.stem}{village_groups}组"
            elif type_ == "WORK_UNIT":
                name = owners[int(r() * len(owners))] + suffix
            elif type_ == "COMMERCIAL":
                name = stems[int(r() * len(stems))] + suffix
            else:
                name = part.stem + suffix
            lo, hi = P.COMPOUND_WEIGHT_SPREAD
            weight = P.COMPOUND_SHAPES[type_][0] * (lo + r() * (hi - lo))
            part.compounds.append(Compound(f"C{part.code}{i + 1:02d}", name, type_, weight))

    def _build_units(self) -> None:
        """Units located in the district, their party branches, and the district-level committees."""
        r = self.r
        rows = self.buffers["units.csv"]
        orgs = self.buffers["party_orgs.csv"]
        seat = self.actives[0].code  # the district offices sit in the first community of 东风路街道
        orgs.append(("PD-JG", "中共开福区直属机关工作委员会", "WORKING_COMMITTEE", "ORGAN", "", seat, "", ""))
        orgs.append(("PD-LX", "中共开福区两新组织工作委员会", "WORKING_COMMITTEE", "JOINT", "", seat, "", ""))
        for street in self.streets:
            street_seat = street.actives[0].code
            orgs.append(
                (
                    f"PW{street.code}",
                    f"中共{street.name}工作委员会",
                    "WORKING_COMMITTEE",
                    "",
                    "",
                    street_seat,
                    "",
                    "",
                )
            )

        def add(name: str, category: str, head: str, branch_kind: str, active: Active) -> Unit:
            part = active.parts[int(r() * len(active.parts))]
            unit = Unit(self._uscc(head, category in ("SOE", "ENTERPRISE")), name, category, part.code)
            rows.append((unit.uscc, name, category, unit.community_code))
            self.units.append(unit)
            active.units.append(unit)
            if r() < P.UNIT_BRANCH_SHARE[category]:
                unit.branch = f"PU{unit.uscc}"
                parent = "PD-JG" if branch_kind == "ORGAN" else "PD-LX"
                orgs.append(
                    (
                        unit.branch,
                        f"{name}党支部",
                        "BRANCH",
                        branch_kind,
                        parent,
                        unit.community_code,
                        "UNIT",
                        unit.uscc,
                    )
                )
                self.branch_units.append(unit)
            return unit

        actives = self.actives
        # the 共同体: district organs, state enterprises, schools and hospitals, firms across the district
        coalition: list[tuple[str, str]] = [(n, "ORGAN") for n in names.DISTRICT_ORGANS]
        coalition += [(n, "SOE") for n in names.SOE_NAMES]
        stems = names.PLACE_STEMS
        kinds = names.INSTITUTION_KINDS
        industries = names.ENTERPRISE_INDUSTRIES
        i = 0
        while len(coalition) < P.COMMUNITY_OF_UNITS_SIZE:
            stem = stems[(i * 7) % len(stems)]
            if i % 3 == 2:
                coalition.append((f"湖南{stem}{industries[i % len(industries)]}有限公司", "ENTERPRISE"))
            else:
                coalition.append((f"开福区{stem}{kinds[i % len(kinds)]}", "INSTITUTION"))
            i += 1
        codes = {c: (code, kind) for c, _, code, kind in P.UNIT_CATEGORIES}
        for name, category in coalition[: P.COMMUNITY_OF_UNITS_SIZE]:
            head, kind = codes[category]
            self.coalition.append(add(name, category, head, kind, actives[int(r() * len(actives))]))
        # local units of each community
        for active in actives:
            for _ in range(self._int(*P.UNITS_PER_COMMUNITY)):
                category, head, kind = self.unit_categories.pick(r())
                stem = active.stem
                if category == "ORGAN":
                    name = f"{active.street.name}{('综合执法队', '司法所', '市场监管所', '税务所', '派出所')[int(r() * 5)]}"
                elif category == "INSTITUTION":
                    name = f"{stem}{kinds[int(r() * len(kinds))]}"
                elif category == "SOE":
                    name = f"{names.SOE_NAMES[int(r() * len(names.SOE_NAMES))]}{stem}营业部"
                elif category == "ENTERPRISE":
                    city = "湖南" if r() < 0.4 else "长沙"
                    name = f"{city}{stem}{industries[int(r() * len(industries))]}有限公司"
                elif category == "SOCIAL_ORG":
                    kinds2 = names.SOCIAL_ORG_KINDS
                    name = f"开福区{stem}{kinds2[int(r() * len(kinds2))]}"
                else:
                    kinds3 = names.OTHER_UNIT_KINDS
                    name = f"{stem}{kinds3[int(r() * len(kinds3))]}"
                add(name, category, head, kind, active)

    # --- one community ----------------------------------------------------------------------------------
    def _community(self, ac: Active, batches_left: int) -> None:
        r = self.r
        iso = self.iso
        buf = self.buffers
        residents = ac.persons - round(ac.persons * P.UNKNOWN_RESIDENCE_SHARE)
        parts = ac.parts
        part_weight = sum(p.weight for p in parts)
        quota_used = [0] * len(self.quotas)
        groups_of: list[list[Group]] = []
        self.generated = 0
        share = 0.0
        for part in parts:
            share += part.weight / part_weight
            groups_of.append(self._resident_groups(ac, part, round(residents * share), quota_used))
        # registered here, living away from the district (residence unknown): up to the total
        away_groups: list[Group] = []
        while self.generated < ac.persons:
            part = parts[int(r() * len(parts))]
            k = min(ac.persons - self.generated, self.household_sizes.deal())
            away_groups.append(self._family(ac, part, k, "X"))
        layouts: list[Layout] = []
        for part, groups in zip(parts, groups_of, strict=True):
            buf["households.csv"].append(
                (part.public_household, "COLLECTIVE", part.code, iso[ORD_COLLECTIVE_HOUSEHOLDS - BASE_ORD])
            )
            if any(g.kind == "D" for g in groups):
                buf["households.csv"].append(
                    (part.dorm_household, "COLLECTIVE", part.code, iso[ORD_COLLECTIVE_HOUSEHOLDS - BASE_ORD])
                )
            layout = self._lay_out(part, groups)
            layouts.append(layout)
            self._residences(groups, layout)
        for group in away_groups:
            if r() < P.UNKNOWN_WITH_PAST_RESIDENCE:
                layout = layouts[int(r() * len(layouts))]
                head = group.members[0]
                start = self._between(max(head.birth + ADULT_DAYS, ORD_RESIDENCE_FROM), TODAY_ORD - 60)
                end = self._between(start + 30, TODAY_ORD)
                home = layout.dw_id[int(r() * len(layout.dw_id))]
                for person in group.members:
                    since = max(start, person.birth)
                    if since < end:
                        buf["residences.csv"].append(
                            (person.pid, home, "OWNER", iso[since - BASE_ORD], iso[end - BASE_ORD])
                        )
        living = [p for groups in groups_of for g in groups for p in g.members]
        everyone = living + [p for g in away_groups for p in g.members]
        self._collective_members(ac, groups_of, batches_left)
        self._party(ac, everyone, layouts)
        self._teams(ac, living)
        self._roles(ac, living, layouts)
        self._pairings(ac)
        self._tags(everyone)
        persons = buf["persons.csv"]
        for person in everyone:
            row = person.row
            row.append(";".join(person.tags) if person.tags else "")
            persons.append(tuple(row))
        self._flush()

    def _collective_members(self, ac: Active, groups_of: list[list[Group]], batches_left: int) -> None:
        r = self.r
        iso = self.iso
        rows = self.buffers["collective_members.csv"]
        founded = _ord(P.COLLECTIVE_FOUNDED)
        home_members: dict[str, int] = {}
        for groups in groups_of:
            for group in groups:
                if not group.collective:
                    continue
                for person in group.members:
                    since = max(founded, person.birth)
                    if group.kind == "S" and since < TODAY_ORD - 1 and r() < P.COLLECTIVE_ENDED_SHARE:
                        until = self._between(since + 1, TODAY_ORD)
                        rows.append(
                            (person.pid, group.collective, iso[since - BASE_ORD], iso[until - BASE_ORD])
                        )
                        continue
                    rows.append((person.pid, group.collective, iso[since - BASE_ORD], ""))
                    if group.kind == "S":
                        home_members[group.collective] = home_members.get(group.collective, 0) + 1
        # members living away from this community's villages are placed by later communities
        for part in ac.parts:
            if not part.collective or batches_left == 0:
                continue
            share = P.CHAHUA_AWAY_SHARE if part.chahua else P.COLLECTIVE_AWAY_SHARE
            quota = round(home_members.get(part.collective, 0) * share / (1.0 - share))
            if quota:
                cap = math.ceil(2 * quota / batches_left) + 1
                self.quotas.append([part, quota, cap])

    # --- party ------------------------------------------------------------------------------------------
    def _party(self, ac: Active, everyone: list[Person], layouts: list[Layout]) -> None:
        """The community's party committee, its members, branches, memberships and reports."""
        self.buffers["party_orgs.csv"].append(
            (
                ac.committee,
                f"中共{ac.name}委员会",
                "COMMITTEE",
                "COMMUNITY",
                f"PW{ac.street.code}",
                ac.code,
                "",
                "",
            )
        )
        self.members = []
        self.compound_branches = {}
        self.building_groups = []
        adults = [p for p in everyone if p.birth <= ADULT_CUTOFF]
        full_in_compound = self._party_members(ac, adults)
        self._party_branches(ac, layouts, full_in_compound)
        self._memberships(ac)
        self._employees(adults)

    def _party_members(self, ac: Active, adults: list[Person]) -> dict[str, int]:
        """Who is a member, when they joined and where they are organised; returns, per compound,
        the full members organised where they live (who decide whether it has a branch)."""
        r = self.r
        bands = P.PARTY_AGE_BANDS
        factors = P.PARTY_AGE_FACTORS
        weighted: list[tuple[Person, float]] = []
        for person in adults:
            age = (TODAY_ORD - person.birth) / DAYS_PER_YEAR
            band = 0 if age < bands[0] else (1 if age < bands[1] else (2 if age < bands[2] else 3))
            weighted.append((person, factors[band]))
        if not weighted:
            return {}
        # age-weighted, normalised over this community's adults so the share holds everywhere
        norm = P.PARTY_SHARE_OF_ADULTS * len(weighted) / sum(f for _, f in weighted)
        members = self.members
        full_in_compound: dict[str, int] = {}
        work_lo, work_hi = P.WORKING_AGE
        # systematic sampling: each adult is chosen with probability norm * f, and the community
        # gets its expected number of members exactly (no binomial noise in the share); shuffled
        # first, so members of one family are not spaced apart by the walk
        self.rng.shuffle(weighted)
        carry = r()
        probation = r()  # the same walk deals the ~2 % probationary members
        for person, f in weighted:
            carry += norm * f
            if carry < 1.0:
                continue
            carry -= 1.0
            birth = person.birth
            adult = _adult_day(birth)
            age = (TODAY_ORD - birth) / DAYS_PER_YEAR
            probation += P.PROBATIONARY_SHARE
            probationary = probation >= 1.0
            if probationary:
                probation -= 1.0
            if not probationary and adult > TODAY_ORD - YEAR - 1:
                continue  # too young to have finished the probation year
            if probationary:
                person.probationary = True
                person.joined = self._between(max(adult, TODAY_ORD - YEAR + 1), TODAY_ORD)
            else:
                # most join between 18 and 40
                latest = min(TODAY_ORD - YEAR - 1, adult + P.PARTY_JOIN_WINDOW_YEARS * YEAR)
                person.joined = self._between(adult, latest)
            group = person.group
            if work_lo <= age < work_hi + 1 and self.branch_units and r() < P.IN_SERVICE_SHARE:
                person.in_service = True
                unit = self.branch_units[int(r() * len(self.branch_units))]
                person.org = unit.branch
            elif group.dwelling < 0:  # living away: organised where registered
                person.org = ac.committee
                person.since = ac.formed
            elif r() < P.PARTY_STAYED_ELSEWHERE_SHARE:  # moved here, organisation stayed behind
                other = self._other_part(ac).active
                assert other is not None
                person.org = other.committee
                person.since = other.formed
            else:
                person.org = ""  # decided below: the compound branch or the community committee
                if not person.probationary:
                    layout = group.layout
                    assert layout is not None
                    compound = layout.part.compounds[layout.b_compound[layout.dw_building[group.dwelling]]]
                    full_in_compound[compound.id] = full_in_compound.get(compound.id, 0) + 1
            members.append(person)
        return full_in_compound

    def _party_branches(self, ac: Active, layouts: list[Layout], full_in_compound: dict[str, int]) -> None:
        """Compound branches where 3+ full members live, 党小组 in their buildings; members placed."""
        orgs = self.buffers["party_orgs.csv"]
        branches = self.compound_branches
        for layout in layouts:
            for compound in layout.part.compounds:
                if full_in_compound.get(compound.id, 0) >= P.COMPOUND_BRANCH_MIN_FULL:
                    branch = f"PB{compound.id}"
                    branches[compound.id] = branch
                    orgs.append(
                        (
                            branch,
                            f"{compound.name}党支部",
                            "BRANCH",
                            "COMPOUND",
                            ac.committee,
                            layout.part.code,
                            "COMPOUND",
                            compound.id,
                        )
                    )
        in_building: dict[str, list[Person]] = {}
        for person in self.members:
            if person.org:
                continue
            group = person.group
            home = group.layout
            assert home is not None
            b = home.dw_building[group.dwelling]
            compound = home.part.compounds[home.b_compound[b]]
            branch_id = branches.get(compound.id)
            if branch_id is None:
                person.org = ac.committee
            else:
                person.org = branch_id
                in_building.setdefault(home.b_code[b], []).append(person)
        for layout in layouts:
            for b, code in enumerate(layout.b_code):
                people = in_building.get(code)
                if people and len(people) >= P.BUILDING_GROUP_MIN_MEMBERS:
                    compound = layout.part.compounds[layout.b_compound[b]]
                    group_id = f"PG{code}"
                    name = f"{compound.name}{layout.b_name[b]}党小组"
                    orgs.append(
                        (
                            group_id,
                            name,
                            "GROUP",
                            "BUILDING",
                            branches[compound.id],
                            layout.part.code,
                            "BUILDING",
                            code,
                        )
                    )
                    self.building_groups.append((code, people))

    def _memberships(self, ac: Active) -> None:
        """Membership rows (with earlier ones), employment of in-service members, reports, 双重评议."""
        r = self.r
        iso = self.iso
        buf = self.buffers
        rows = buf["party_members.csv"]
        employments = buf["employments.csv"]
        reports = buf["reports.csv"]
        evaluations = buf["evaluations.csv"]
        units = self.units
        for person in self.members:
            joined = person.joined
            group = person.group
            since = joined
            if person.in_service:
                first_job = person.birth + P.EMPLOYMENT_FROM_AGE * YEAR
                employed = self._between(
                    max(first_job, TODAY_ORD - P.EMPLOYMENT_WINDOW_YEARS * YEAR), TODAY_ORD - 30
                )
                since = max(joined, employed)
                unit_uscc = person.org[2:]
                earlier = employed - 30
                start = max(
                    person.birth + P.EARLIER_EMPLOYMENT_FROM_AGE * YEAR,
                    employed - P.EARLIER_EMPLOYMENT_WINDOW_YEARS * YEAR,
                )
                if r() < P.EARLIER_EMPLOYMENT_SHARE and start < earlier:
                    first = self._between(start, earlier)
                    other_unit = units[int(r() * len(units))].uscc
                    if other_unit != unit_uscc:
                        employments.append(
                            (person.pid, other_unit, iso[first - BASE_ORD], iso[employed - BASE_ORD])
                        )
                employments.append((person.pid, unit_uscc, iso[employed - BASE_ORD], ""))
            elif person.since or group.dwelling < 0:  # organised elsewhere or living away
                since = max(joined, person.since)
            else:  # where they live: since moving in, and not before the community was formed
                lived = max(group.move_in, person.birth)
                since = max(joined, lived, ac.formed if person.org == ac.committee else 0)
            person.since = since
            pid = person.pid
            joined_iso = iso[joined - BASE_ORD]
            if person.probationary:
                rows.append((pid, person.org, "PROBATIONARY", joined_iso, iso[since - BASE_ORD], ""))
            elif since == joined and joined >= TODAY_ORD - P.PROBATION_SHOWN_YEARS * YEAR:
                full = joined + YEAR
                rows.append((pid, person.org, "PROBATIONARY", joined_iso, joined_iso, iso[full - BASE_ORD]))
                rows.append((pid, person.org, "FULL", joined_iso, iso[full - BASE_ORD], ""))
                person.since = full
            else:
                earlier = joined + YEAR
                if since - earlier > 60 and r() < P.PARTY_TRANSFER_SHARE and self.branch_units:
                    unit = self.branch_units[int(r() * len(self.branch_units))]
                    if unit.branch != person.org:
                        rows.append(
                            (
                                pid,
                                unit.branch,
                                "FULL",
                                joined_iso,
                                iso[earlier - BASE_ORD],
                                iso[since - BASE_ORD],
                            )
                        )
                rows.append((pid, person.org, "FULL", joined_iso, iso[since - BASE_ORD], ""))
            # 在职党员报到 and 双重评议
            reported = False
            if person.in_service and group.dwelling >= 0 and r() < P.REPORTED_SHARE:
                reported = self._report(ac, person, reports)
            if joined <= ORD_EVAL_YEAR_END:
                grade = self.grades.pick(r())
                if r() >= P.EVALUATION_ORG_GAP:
                    evaluations.append((pid, str(P.EVALUATION_YEAR), "ORG", grade))
                if reported and r() >= P.EVALUATION_COMMUNITY_GAP:
                    community_grade = self.grades.pick(r()) if r() < P.EVALUATION_DISAGREE else grade
                    evaluations.append((pid, str(P.EVALUATION_YEAR), "COMMUNITY", community_grade))

    def _employees(self, adults: list[Person]) -> None:
        """Employees who are not members: a small sample, so units have staff on record."""
        r = self.r
        iso = self.iso
        employments = self.buffers["employments.csv"]
        units = self.units
        work_lo, work_hi = P.WORKING_AGE
        for person in adults:
            if person.joined or r() >= P.EMPLOYED_NON_MEMBER_SHARE:
                continue
            age = (TODAY_ORD - person.birth) / DAYS_PER_YEAR
            if not work_lo <= age < work_hi + 1:
                continue
            first_job = person.birth + P.EMPLOYMENT_FROM_AGE * YEAR
            window = P.NON_MEMBER_EMPLOYMENT_WINDOW_YEARS * YEAR
            employed = self._between(max(first_job, TODAY_ORD - window), TODAY_ORD - 30)
            employments.append((person.pid, units[int(r() * len(units))].uscc, iso[employed - BASE_ORD], ""))

    def _report(self, ac: Active, person: Person, reports: list[Row]) -> bool:
        """An in-service member reports to where they live, or to another community of the street."""
        r = self.r
        iso = self.iso
        group = person.group
        layout = group.layout
        assert layout is not None
        lo = max(ORD_AFTER_MERGES, person.since)
        if lo >= TODAY_ORD:
            return False
        grid = ""
        if r() < P.REPORT_WHERE_LIVING:
            target = ac
            if not layout.part.successor:  # an unmerged community: its grids are its own
                grid = layout.grid_codes[layout.b_grid[layout.dw_building[group.dwelling]]]
        else:
            target = self._neighbour(ac)
        since = self._between(lo, TODAY_ORD)
        if since - lo > 60 and r() < P.REPORT_ENDED_SHARE:
            first = self._between(lo, since - 30)
            earlier = self._neighbour(target)
            reports.append((person.pid, earlier.code, "", iso[first - BASE_ORD], iso[since - BASE_ORD]))
        reports.append((person.pid, target.code, grid, iso[since - BASE_ORD], ""))
        return True

    def _neighbour(self, ac: Active) -> Active:
        same_street = ac.street.actives
        if len(same_street) > 1:
            i = int(self.r() * (len(same_street) - 1))
            other = same_street[i]
            return same_street[-1] if other is ac else other
        return self.actives[(ac.index + 1) % len(self.actives)]

    # --- teams, roles, pairings ---------------------------------------------------------------------
    def _teams(self, ac: Active, residents: list[Person]) -> None:
        r = self.r
        iso = self.iso
        teams = self.buffers["teams.csv"]
        rows = self.buffers["team_members.csv"]
        pool = [p for p in residents if ADULT_CUTOFF >= p.birth > TODAY_ORD - P.TEAM_MEMBER_AGE[1] * YEAR]
        fill = min(1.0, len(residents) / P.TEAM_FULL_SIZE_RESIDENTS)
        n = self._int(*P.TEAMS_PER_COMMUNITY)
        for k, (type_, name) in enumerate(self.rng.sample(P.TEAM_TYPES, n)):
            team_id = f"T{ac.code}{k + 1:02d}"
            teams.append((team_id, f"{ac.stem}{name}", type_, ac.code))
            size = max(3, round(self._int(*P.TEAM_SIZE_AT_FULL_SCALE) * fill))
            founded = self._between(_ord(P.TEAMS_FROM), TODAY_ORD - 180)
            for i, person in enumerate(self.rng.sample(pool, min(size, len(pool)))):
                role = "队长" if i == 0 else ("副队长" if i == 1 else "队员")
                since = self._between(founded, TODAY_ORD)
                until = ""
                if i > 1 and since < TODAY_ORD - 1 and r() < P.TEAM_MEMBER_ENDED_SHARE:
                    until = iso[self._between(since + 1, TODAY_ORD) - BASE_ORD]
                else:
                    person.tag("志愿者")
                rows.append((team_id, person.pid, role, iso[since - BASE_ORD], until))

    def _roles(self, ac: Active, residents: list[Person], layouts: list[Layout]) -> None:
        r = self.r
        iso = self.iso
        rows = self.buffers["roles.csv"]

        def adults(people: list[Person], young: int = P.ADULT_AGE, old: int = P.ROLE_MAX_AGE) -> list[Person]:
            return [p for p in people if TODAY_ORD - old * YEAR < p.birth <= TODAY_ORD - young * YEAR - 5]

        def pick(people: list[Person]) -> Person | None:
            return people[int(r() * len(people))] if people else None

        def add(
            person: Person | None, role: str, scope_type: str, scope: str, since: int, until: int = 0
        ) -> None:
            if person is None:
                return
            rows.append(
                (
                    person.pid,
                    role,
                    scope_type,
                    scope,
                    iso[since - BASE_ORD],
                    iso[until - BASE_ORD] if until else "",
                )
            )

        everyone = adults(residents)
        workers = adults(residents, *P.GRID_WORKER_AGE)
        managers = adults(residents, *P.PROPERTY_MANAGER_AGE)
        full_of_branch: dict[str, list[Person]] = {}
        for member in self.members:
            if not member.probationary:
                full_of_branch.setdefault(member.org, []).append(member)
        # 社区书记: a full member living in the community; the one before served from the 2016 term
        full = [p for p in self.members if not p.probationary and p.group.dwelling >= 0]
        secretary_pool = adults(full, *P.SECRETARY_AGE) or full or everyone
        term = _ord(P.SECRETARY_TERM_START)
        secretary = pick(secretary_pool)
        add(secretary, "COMMUNITY_SECRETARY", "COMMUNITY", ac.code, max(term, ac.formed))
        if secretary is not None:
            secretary.tag("社区书记")
        if ac.formed < term:
            add(
                pick(secretary_pool),
                "COMMUNITY_SECRETARY",
                "COMMUNITY",
                ac.code,
                max(ORD_PREVIOUS_TERM, ac.formed),
                term,
            )
        for layout in layouts:
            part = layout.part
            grid_people: list[list[Person]] = [[] for _ in layout.grid_codes]
            for b, people in enumerate(layout.b_residents):
                grid_people[layout.b_grid[b]].extend(people)
            for g, code in enumerate(layout.grid_codes):
                local = adults(grid_people[g])
                worker = pick(adults(grid_people[g], *P.GRID_WORKER_AGE) or workers or everyone)
                since = self._between(ORD_GRID_WORKERS_FROM + 30, TODAY_ORD)
                add(worker, "GRID_WORKER", "GRID", code, since)
                if worker is not None:
                    worker.tag("网格员")
                    if r() < P.GRID_WORKER_REPLACED_SHARE and since > ORD_GRID_WORKERS_FROM + 30:
                        before = pick(workers or everyone)
                        if before is not None and before is not worker:
                            add(
                                before,
                                "GRID_WORKER",
                                "GRID",
                                code,
                                self._between(ORD_GRID_WORKERS_FROM, since - 30),
                                since,
                            )
                add(pick(full or everyone), "GRID_LEADER", "GRID", code, max(term, ac.formed))
                add(pick(local), "AREA_HEAD", "GRID", code, self._between(ORD_ROLES_FROM, TODAY_ORD))
            owners_by_compound: list[list[Person]] = [[] for _ in part.compounds]
            people_by_compound: list[list[Person]] = [[] for _ in part.compounds]
            for b, people in enumerate(layout.b_residents):
                if not people:
                    continue
                people_by_compound[layout.b_compound[b]].extend(people)
                local = adults(people)
                if len(people) >= 3 and r() < P.BUILDING_HEAD_SHARE:
                    head = pick(local)
                    add(
                        head,
                        "BUILDING_HEAD",
                        "BUILDING",
                        layout.b_code[b],
                        self._between(ORD_ROLES_FROM, TODAY_ORD),
                    )
                    if head is not None:
                        head.tag("楼栋长")
                if r() < P.NEIGHBOR_HEAD_SHARE:
                    add(
                        pick(local),
                        "NEIGHBOR_HEAD",
                        "BUILDING",
                        layout.b_code[b],
                        self._between(ORD_ROLES_FROM, TODAY_ORD),
                    )
                owners_by_compound[layout.b_compound[b]].extend(p for p in local if p.group.tenure == "OWNER")
            for ci, compound in enumerate(part.compounds):
                local = adults(people_by_compound[ci])
                if compound.type == "VILLAGE":
                    add(
                        pick(local),
                        "GROUP_HEAD",
                        "COMPOUND",
                        compound.id,
                        self._between(ORD_ROLES_FROM, TODAY_ORD),
                    )
                if compound.type in ("COMMERCIAL", "WORK_UNIT", "RESETTLEMENT"):
                    manager = pick(managers)
                    add(
                        manager,
                        "PROPERTY_MANAGER",
                        "COMPOUND",
                        compound.id,
                        self._between(ORD_ROLES_FROM, TODAY_ORD),
                    )
                owners = owners_by_compound[ci]
                if compound.type == "COMMERCIAL" and len(owners) >= P.OWNERS_COMMITTEE_SIZE[1]:
                    since = self._between(ORD_ROLES_FROM, TODAY_ORD)
                    for owner in self.rng.sample(owners, self._int(*P.OWNERS_COMMITTEE_SIZE)):
                        add(owner, "OWNERS_COMMITTEE", "COMPOUND", compound.id, since)
                branch = self.compound_branches.get(compound.id)
                if branch is not None:
                    secretary = pick(full_of_branch.get(branch, []))
                    if secretary is not None:
                        add(
                            secretary,
                            "COMPOUND_SECRETARY",
                            "COMPOUND",
                            compound.id,
                            max(secretary.since, ORD_ROLES_FROM),
                        )
        for code, people in self.building_groups:
            full_here = [p for p in people if not p.probationary]
            if full_here and r() < P.CENTRAL_HOUSEHOLD_SHARE:
                person = pick(full_here)
                assert person is not None
                add(person, "PARTY_CENTRAL_HOUSEHOLD", "BUILDING", code, max(person.since, ORD_ROLES_FROM))
                person.tag("党员中心户")

    def _pairings(self, ac: Active) -> None:
        r = self.r
        iso = self.iso
        rows = self.buffers["pairings.csv"]
        if r() < P.UNPAIRED_COMMUNITY_SHARE:
            return
        n = self._int(*P.PAIRED_UNITS_PER_COMMUNITY)
        chosen: list[Unit] = []
        local = list(ac.units)
        while len(chosen) < n:
            if r() < P.PAIRED_FROM_COMMUNITY_OF_UNITS or not local:
                unit = self.coalition[int(r() * len(self.coalition))]
            else:
                unit = local.pop(int(r() * len(local)))
            if unit not in chosen:
                chosen.append(unit)
        start = max(_ord(P.PAIRINGS_FROM), ac.formed)
        compounds = [c for part in ac.parts for c in part.compounds]
        org_targets = [ac.committee, *self.compound_branches.values()]

        def agreement(since: int) -> str:
            number = self.next_agreement
            self.next_agreement += 1
            return f"KF-{iso[since - BASE_ORD][:4]}-{number:05d}"

        for unit in chosen:
            since = self._between(start, TODAY_ORD)
            rows.append((unit.uscc, "COMMUNITY", ac.code, iso[since - BASE_ORD], "", agreement(since)))
            if r() < P.PAIRING_COMPOUND_SHARE:
                since = self._between(_ord(P.PAIRINGS_FROM), TODAY_ORD)
                compound = compounds[int(r() * len(compounds))]
                rows.append((unit.uscc, "COMPOUND", compound.id, iso[since - BASE_ORD], "", agreement(since)))
            if r() < P.PAIRING_PARTY_ORG_SHARE:
                since = self._between(start, TODAY_ORD)
                target = org_targets[int(r() * len(org_targets))]
                rows.append((unit.uscc, "PARTY_ORG", target, iso[since - BASE_ORD], "", agreement(since)))
        # ended pairings with units no longer paired here
        for _ in range(self._int(*P.PAIRING_ENDED_PER_COMMUNITY)):
            unit = self.coalition[int(r() * len(self.coalition))]
            if unit in chosen:
                continue
            chosen.append(unit)
            since = self._between(start, TODAY_ORD - 400)
            until = self._between(since + 180, TODAY_ORD - 1)
            rows.append(
                (
                    unit.uscc,
                    "COMMUNITY",
                    ac.code,
                    iso[since - BASE_ORD],
                    iso[until - BASE_ORD],
                    agreement(since),
                )
            )

    def _tags(self, everyone: list[Person]) -> None:
        r = self.r
        elder = TODAY_ORD - P.LIVING_ALONE_ELDER_AGE * YEAR
        for person in everyone:
            if person.joined:
                if person.in_service:
                    person.tag("在职党员")
                elif person.birth < TODAY_ORD - P.RETIREMENT_AGE * YEAR:
                    person.tag("退休党员")
                else:
                    person.tag("党员")
            if person.birth > ADULT_CUTOFF:
                continue
            u = r()
            if u < P.VETERAN_SHARE_OF_MEN and person.row[2] == "M":
                person.tag("退役军人")
            elif u < P.VETERAN_SHARE_OF_MEN + P.LOW_INCOME_SHARE:
                person.tag("低保")
            elif u < P.VETERAN_SHARE_OF_MEN + P.LOW_INCOME_SHARE + P.DISABLED_SHARE:
                person.tag("残疾人")
            group = person.group
            if person.birth < elder and len(group.members) == 1 and group.kind in ("S", "M", "O"):
                person.tag("独居老人")

    # --- output ---------------------------------------------------------------------------------------
    def _open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for name, header in P.FILES:
            handle = (self.out / name).open("w", encoding="utf-8", newline="")
            self.files.append(handle)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            self.writers[name] = writer

    def _flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                self.writers[name].writerows(rows)
                self.counts[name] += len(rows)
                rows.clear()

    def run(self) -> dict[str, int]:
        self._open()
        try:
            self._build_places()
            self._build_units()
            self._flush()
            # villages first, the 插花式 one first of all: their members living away are placed by
            # the communities generated after them
            order = sorted(
                self.actives,
                key=lambda a: (
                    not any(p.chahua for p in a.parts),
                    not any(p.kind == "VILLAGE" for p in a.parts),
                    a.code,
                ),
            )
            started = time.perf_counter()
            for i, ac in enumerate(order):
                self._community(ac, len(order) - 1 - i)
                if self.progress:
                    done = self.next_person - 1
                    seconds = time.perf_counter() - started
                    print(
                        f"\r{i + 1}/{len(order)} communities, {done} persons, {seconds:.1f} s",
                        end="",
                        file=sys.stderr,
                    )
            if self.progress:
                print(file=sys.stderr)
        finally:
            for handle in self.files:
                handle.close()
        return dict(self.counts)


def _adult_day(birth: int) -> int:
    """The day a person born on ``birth`` turns 18 (29 February birthdays: 1 March)."""
    born = dt.date.fromordinal(birth)
    try:
        return born.replace(year=born.year + P.ADULT_AGE).toordinal()
    except ValueError:
        return dt.date(born.year + P.ADULT_AGE, 3, 1).toordinal()


def generate(persons: int, seed: int, out: Path, progress: bool = False) -> dict[str, int]:
    """Writes a district of ``persons`` persons as an import bundle in ``out``; rows per file."""
    return DistrictGenerator(persons, seed, Path(out), progress).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="grassroots seed", description="Write a synthetic 开福区-like district as an import bundle."
    )
    parser.add_argument("--persons", type=int, required=True, help="number of persons (N)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same bytes")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    started = time.perf_counter()
    counts = generate(args.persons, args.seed, args.out, progress=args.progress)
    seconds = time.perf_counter() - started
    for name, rows in counts.items():
        print(f"{name:24} {rows:>10}")
    print(f"{sum(counts.values())} rows in {seconds:.1f} s -> {args.out}")
    return 0
