"""The sample year's work around big customers (docs/rules.md §6), as the RPC calls that record it.

For each business line: a customer register (customers owned by the account managers, some big from
the start, prospects, and dated status changes: new big customers and upgrades won on the quarters'
development plans, a few losses and downgrades with their reasons), next month's visit plans
(mostly submitted by the last working day of the month before, some late, some missing), the visits
(first visits and revisits, mostly as planned, some unplanned, some planned ones missed),
complaints (customer, received / answered / resolved times, some the staff's or the company's
fault, a few resolved after 24 h or not at all), feedback requests (mostly answered by their due
time), quarterly service budgets of each person and of the department with the expenses against
them (some people over budget), monthly attendance, featured services and, on the telecom line, the
raters' KPI sheets (their rated items only; the measured ones are counted from the records).

Everything is drawn from a random generator of its own, after the rest of the year: the money and
points of the year, the fixed cast's hand-worked figures among them, are the same with or without
it. Records are entered the way a department keeps them: in a batch a week (``record_batch``, on
Friday) and by the last day of the month they belong to, so that the month's close sees them; a
complaint or a request still open at that month's end is entered as it stands and updated when it
is settled. Calls come out dated, for the generator to put in date order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from kamkit.activity import last_working_day
from kamkit.periods import Month, Quarter
from wire.records import record_key

BATCH_MAX = 5000  # intake's record_batch limit

# the single-record call of each kind (a batch of one is sent this way)
METHODS = {
    "customer": "register_customer",
    "visit_plan": "record_visit_plan",
    "development_plan": "record_development_plan",
    "budget": "record_budget",
    "visit": "record_visit",
    "complaint": "record_complaint",
    "feedback_request": "record_feedback_request",
    "expense": "record_expense",
    "featured_service": "record_featured_service",
    "attendance": "record_attendance",
    "kpi": "record_kpi",
}
KIND_ORDER = {kind: i for i, kind in enumerate(METHODS)}  # customers first: the rest name them

# (role key of the rater, the rater's person id given the rated person's branch)
TELECOM_RATERS = (
    ("deputy_manager", lambda branch: f"{branch}-deputy_manager"),
    ("city_admin", lambda branch: "city-admin"),
    ("branch_manager", lambda branch: f"{branch}-branch_manager"),
)

_DISTRICTS = ("福州", "闽侯", "长乐", "福清", "连江", "马尾", "")
_BRANDS = tuple(
    "闽江 鼓岭 榕晟 三坊 乌山 旗山 南台 屏山 瑞丰 恒信 华闽 海晟 "
    "金榕 宏达 联创 鑫源 安泰 佳禾 东湖 青峰 远航 天成 汇通 中闽".split()
)
# industry word of the name -> the customer's segment
_INDUSTRIES = {
    "物流": "物流",
    "医药": "医疗",
    "电子": "制造",
    "机械": "制造",
    "建设": "建筑",
    "食品": "商贸",
    "纺织": "制造",
    "教育科技": "教育",
    "水务": "公用事业",
    "能源": "公用事业",
    "信息技术": "信息技术",
    "酒店管理": "服务业",
    "商贸": "商贸",
    "置业": "房地产",
}
_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司")

_REASONS = {
    "new_big": (
        "签订三年期框架协议",
        "中标集团信息化项目",
        "新建园区整体业务落地",
        "总部迁入本地，业务全面签约",
    ),
    "upgraded": (
        "年业务量超过大客户标准",
        "新增专线与云业务",
        "扩大合作范围至全部分支机构",
        "授信与结算业务达到大客户标准",
    ),
    "lost": (
        "被竞争对手以低价替换",
        "集团集中采购，业务转至总部签约",
        "服务响应不及时，客户转网",
        "企业经营困难，终止合作",
        "客户合并重组，业务并入他方",
    ),
    "downgraded": ("年业务量低于大客户标准", "客户缩减业务规模"),
}
_OUTCOMES = {
    "first": ("初次拜访，了解需求", "介绍产品与服务方案", "建立联系人档案", "约定方案交流时间"),
    "revisit": ("回访使用情况", "续约洽谈", "处理遗留问题", "满意度回访", "新需求交流", "节日走访"),
}
_COMPLAINTS = (
    "故障报修响应慢",
    "账单金额有误",
    "客户经理未按约回访",
    "业务办理时间过长",
    "服务人员态度不佳",
    "合同条款解释不清",
)
_FEATURED = (
    "专属客户经理7×24小时热线",
    "季度业务健康体检",
    "账单分析与优化报告",
    "上门培训服务",
    "绿色通道快速办理",
    "年度高层走访与服务报告",
)
_EXPENSE_CATEGORIES = ("service", "service", "entertainment", "gift", "travel")

# a person's quarterly service budget per line: (lowest, highest, step) in CNY
_BUDGETS = {"city-telecom": (6000, 15000, 500), "fuzhou-software": (12000, 30000, 1000)}
_DEFAULT_BUDGET = (5000, 12000, 500)


@dataclass
class Customer:
    id: str
    line: str
    owner: str
    registered: date
    doc: dict
    prospect: bool  # never a customer yet: won as a new big customer, not upgraded
    changes: list[dict] = field(default_factory=list)  # {"date": date, "change", "reason", "person"}

    @property
    def big_at_start(self) -> bool:
        return bool(self.doc.get("big"))

    def big_on(self, day: date) -> bool:
        status = self.big_at_start
        for change in sorted(self.changes, key=lambda c: c["date"]):
            if change["date"] <= day:
                status = change["change"] in ("new_big", "upgraded")
        return status

    def lost_by(self, day: date) -> bool:
        return any(c["change"] == "lost" and c["date"] <= day for c in self.changes)


@dataclass(frozen=True)
class Staff:
    id: str
    line: str
    branch: str | None
    start: date


def working_days(first: date, last: date) -> list[date]:
    out, day = [], first
    while day <= last:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def friday_after(day: date) -> date:
    """The Friday of the day's week (a weekend day: the next week's Friday)."""
    return day + timedelta(days=(4 - day.weekday()) % 7)


def entry_day(settled: date, belongs_to: date) -> date:
    """When a record settled on ``settled`` is entered: that week's Friday, but by the last day of
    the month ``belongs_to`` falls in (the month's close reads it the day after)."""
    return min(friday_after(settled), Month.of(belongs_to).last_day)


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def _money(amount: Decimal, step: int = 10) -> str:
    return str(int(amount / step) * step)


def _hundreds(amount: Decimal) -> Decimal:
    return (amount / 100).quantize(Decimal(1)) * 100


class CustomerWork:
    """The year's records of the work around big customers of each line's staff (``staff``: line ->
    the people who own customers). ``generate()`` draws them; ``calls()`` gives intake's calls."""

    raters = {"city-telecom": TELECOM_RATERS}  # lines whose raters fill in 003 §十一's sheet

    def __init__(self, seed: int, year: int, staff: dict[str, list[Staff]]):
        self.rng = random.Random(seed * 7877 + 2026)  # its own: the rest of the year is untouched
        self.year = year
        self.staff = staff
        self.start = date(year, 1, 1)
        self.customers: dict[str, list[Customer]] = defaultdict(list)  # owner -> customers
        self.entries: list[tuple[date, str, str, dict]] = []  # (day, line, kind, document)
        self.updates: list[tuple[date, str, str, str, dict]] = []  # (day, line, kind, key, changes)
        # (day, line, plan, decision): the department manager's review of a submitted plan
        self.plan_decisions: list[tuple[date, str, str, str]] = []
        self.visited: dict[str, set[str]] = defaultdict(set)  # person -> customers visited
        self.plans: dict[tuple[str, Month], dict] = {}
        self._n = 0
        self._names: set[str] = set()

    # --- helpers ---------------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:05d}"

    def enter(self, day: date, line: str, kind: str, doc: dict) -> None:
        self.entries.append((max(day, self.start), line, kind, doc))

    def _weighted(self, weights: dict):
        roll, acc = self.rng.random(), 0.0
        for value, weight in weights.items():
            acc += weight
            if roll < acc:
                return value
        return value

    def _moment(self, day: date, first_hour: int = 8, last_hour: int = 18) -> datetime:
        return datetime.combine(
            day, time(self.rng.randint(first_hour, last_hour - 1), self.rng.randrange(0, 60, 5))
        )

    def _name(self) -> tuple[str, str]:
        while True:
            industry = self.rng.choice(sorted(_INDUSTRIES))
            name = (
                self.rng.choice(_DISTRICTS) + self.rng.choice(_BRANDS) + industry + self.rng.choice(_SUFFIXES)
            )
            if name not in self._names:
                self._names.add(name)
                return name, _INDUSTRIES[industry]

    def _active(self, person: Staff, first: date, last: date) -> list[date]:
        return working_days(max(first, person.start), last)

    # --- the year --------------------------------------------------------------------------------

    def generate(self) -> None:
        for line, people in self.staff.items():
            for person in people:
                self.register(line, person)
        quarters = [Quarter(self.year, q) for q in range(1, 5)]
        for quarter in quarters:
            for line, people in self.staff.items():
                self.development_and_changes(line, people, quarter)
        self.enter_customer_changes()
        for quarter in quarters:
            for line, people in self.staff.items():
                self.budgets_and_expenses(line, people, quarter)
                self.complaints(line, people, quarter)
                for person in people:
                    self.featured(line, person, quarter)
                if line in self.raters:
                    self.kpi_sheets(line, people, quarter)
        month = Month(self.year, 1)
        for line, people in self.staff.items():
            for person in people:
                self.visit_plan(line, person, month)
        for m in range(1, 13):
            month = Month(self.year, m)
            for line, people in self.staff.items():
                for person in people:
                    self.visits(line, person, month)
                    self.feedback(line, person, month)
                    self.visit_plan(line, person, month.next())
                self.attendance(line, people, month)

    # --- the register ----------------------------------------------------------------------------

    def register(self, line: str, person: Staff) -> None:
        rng = self.rng
        big, ordinary, prospects = rng.randint(2, 4), rng.randint(3, 5), rng.randint(3, 6)
        day = max(self.start, person.start)
        for kind in ["big"] * big + ["ordinary"] * ordinary + ["prospect"] * prospects:
            name, segment = self._name()
            doc = {
                "id": self._id("cus"),
                "name": name,
                "owner": person.id,
                "segment": "" if rng.random() < 0.08 else segment,  # a few files lack their class
                "big": kind == "big",
            }
            if person.branch:
                doc["branch"] = person.branch
            customer = Customer(doc["id"], line, person.id, day, doc, kind == "prospect")
            self.customers[person.id].append(customer)
            if kind != "prospect":
                self.visited[person.id].add(customer.id)  # an existing relationship
            self.enter(day, line, "customer", dict(doc))

    def development_and_changes(self, line: str, people: list[Staff], quarter: Quarter) -> None:
        """The quarter's development plans, the big customers won on them (and a few beside them),
        and the losses and downgrades of big customers: at least one loss a line a quarter."""
        rng = self.rng
        held_from = quarter.first_day - timedelta(days=1)
        for person in people:
            days = self._active(person, quarter.first_day, quarter.last_day)
            if not days:
                continue
            plan_day = rng.choice(days[:8])
            candidates = [
                c
                for c in self.customers[person.id]
                if not c.big_on(plan_day) and not c.lost_by(plan_day) and c.registered <= plan_day
            ]
            targets = rng.sample(candidates, min(len(candidates), rng.choice([1, 1, 2, 2, 2, 3])))
            if targets:
                status = self._weighted(
                    {"approved": 0.55, "submitted": 0.33, "draft": 0.07, "withdrawn": 0.05}
                )
                entered, plan_id = entry_day(plan_day, plan_day), self._id("dev")
                self.enter(
                    entered,
                    line,
                    "development_plan",
                    {
                        "id": plan_id,
                        "person": person.id,
                        "quarter": str(quarter),
                        "planned": len(targets) + (1 if rng.random() < 0.15 else 0),
                        "targets": [c.doc["name"] for c in targets],
                        # submitted, then approved by the department manager (001 §1.1 权力1)
                        "status": "submitted" if status == "approved" else status,
                    },
                )
                if status == "approved":
                    self.plan_decisions.append((entered + timedelta(days=3), line, plan_id, "approve"))
                chance = 0.6 if status in ("approved", "submitted") else 0.25
                later = [d for d in days if d >= plan_day + timedelta(days=7)] or days[-1:]
                for customer in targets:
                    if rng.random() < chance:
                        self._change(
                            customer, rng.choice(later), "new_big" if customer.prospect else "upgraded"
                        )
            others = [c for c in candidates if c not in targets and not c.prospect]
            if others and rng.random() < 0.08:  # won without a plan naming it
                self._change(rng.choice(others), rng.choice(days), "upgraded")
        held = [
            c
            for person in people
            for c in self.customers[person.id]
            if c.big_on(held_from) and not c.lost_by(held_from) and c.registered <= quarter.last_day
        ]
        lost = [c for c in held if rng.random() < 0.03]
        if not lost and held:
            lost = [rng.choice(held)]
        for customer in held:
            days = working_days(max(quarter.first_day, customer.registered), quarter.last_day)
            if customer in lost:
                self._change(customer, rng.choice(days), "lost")
            elif rng.random() < 0.02:
                self._change(customer, rng.choice(days), "downgraded")

    def _change(self, customer: Customer, day: date, change: str) -> None:
        customer.changes.append(
            {
                "date": day,
                "change": change,
                "reason": self.rng.choice(_REASONS[change]),
                "person": customer.owner,
            }
        )

    def enter_customer_changes(self) -> None:
        """Each change is entered in its week's batch (by its month's end): the customer registered
        again with every change so far."""
        for owner in self.customers:
            for customer in self.customers[owner]:
                changes = sorted(customer.changes, key=lambda c: c["date"])
                by_entry: dict[date, list[dict]] = {}
                for change in changes:
                    by_entry.setdefault(entry_day(change["date"], change["date"]), []).append(change)
                for day in sorted(by_entry):
                    known = [{**c, "date": _iso(c["date"])} for c in changes if c["date"] <= day]
                    self.enter(day, customer.line, "customer", {**customer.doc, "changes": known})

    # --- plans and visits --------------------------------------------------------------------------

    def visit_plan(self, line: str, person: Staff, month: Month) -> None:
        """``month``'s visit plan, due by the last working day of the month before: mostly on time,
        some late, some never submitted."""
        rng = self.rng
        deadline = last_working_day(month.previous())
        if person.start > deadline:
            return
        status = self._weighted({"on_time": 0.8, "late": 0.12, "missing": 0.08})
        if status == "missing":
            return
        if status == "on_time":
            submitted = rng.choice(working_days(deadline - timedelta(days=7), deadline))
        else:
            submitted = deadline + timedelta(days=rng.randint(1, 6))
        available = [
            c for c in self.customers[person.id] if not c.lost_by(month.first_day - timedelta(days=1))
        ]
        unvisited = [c.id for c in available if c.id not in self.visited[person.id]]
        known = [c for c in available if c.id in self.visited[person.id]]
        pool = [c.id for c in known if c.big_on(month.first_day)] * 2 + [c.id for c in known]
        first = rng.sample(unvisited, min(len(unvisited), rng.choice([0, 1, 1, 2])))
        revisits = list(dict.fromkeys(rng.sample(pool, min(len(pool), rng.randint(3, 6)))))
        plan = {
            "person": person.id,
            "month": str(month),
            "submitted": _iso(submitted),
            "customers": first,
            "revisits": revisits,
        }
        self.plans[person.id, month] = plan
        self.enter(entry_day(submitted, submitted), line, "visit_plan", plan)

    def visits(self, line: str, person: Staff, month: Month) -> None:
        rng = self.rng
        days = self._active(person, month.first_day, month.last_day)
        if not days:
            return
        plan = self.plans.get((person.id, month))
        made: list[tuple[date, str, str]] = []
        if plan:
            made += [(rng.choice(days), c, "first") for c in plan["customers"] if rng.random() < 0.82]
            made += [(rng.choice(days), c, "revisit") for c in plan["revisits"] if rng.random() < 0.86]
        planned = set(plan["customers"] + plan["revisits"]) if plan else set()
        available = [c for c in self.customers[person.id] if not c.lost_by(month.first_day)]
        for _ in range(rng.choice([0, 0, 1, 1, 2]) if plan else rng.randint(2, 5)):
            unvisited = [c.id for c in available if c.id not in self.visited[person.id] | planned]
            known = [c.id for c in available if c.id in self.visited[person.id] and c.id not in planned]
            if known and (rng.random() < 0.3 or not plan):
                customer, purpose = rng.choice(known), "revisit"
            elif unvisited:
                customer, purpose = rng.choice(unvisited), "first"
            else:
                continue
            planned.add(customer)
            made.append((rng.choice(days), customer, purpose))
        for day, customer, purpose in sorted(made):
            self.visited[person.id].add(customer)
            self.enter(
                entry_day(day, day),
                line,
                "visit",
                {
                    "id": self._id("vis"),
                    "person": person.id,
                    "customer": customer,
                    "date": _iso(day),
                    "purpose": purpose,
                    "outcome": rng.choice(_OUTCOMES[purpose]),
                },
            )

    # --- service ---------------------------------------------------------------------------------

    def complaints(self, line: str, people: list[Staff], quarter: Quarter) -> None:
        """Each person's complaints of the quarter (most resolved within 24 h, some later, a few
        never); if none is open when the quarter closes, one come in during its last days is."""
        rng = self.rng
        end = datetime.combine(quarter.last_day + timedelta(days=1), time.min)
        still_open = False
        for person in people:
            days = self._active(person, quarter.first_day, quarter.last_day)
            for _ in range(self._weighted({0: 0.4, 1: 0.35, 2: 0.18, 3: 0.07}) if days else 0):
                outcome = self._weighted({"quick": 0.75, "slow": 0.18, "open": 0.07})
                resolved = self._complaint(line, person, self._moment(rng.choice(days), 8, 20), outcome)
                still_open |= resolved is not None and (resolved is False or resolved >= end)
        active = [p for p in people if p.start <= quarter.last_day - timedelta(days=7)]
        if active and not still_open:
            person = rng.choice(active)
            last_days = self._active(person, quarter.last_day - timedelta(days=6), quarter.last_day)
            self._complaint(
                line, person, self._moment(rng.choice(last_days), 8, 20), "carried", quarter.last_day
            )

    def _complaint(
        self, line: str, person: Staff, received_at: datetime, outcome: str, period_end: date | None = None
    ) -> datetime | bool | None:
        """Enter one complaint; answer when it was resolved (False: never; None: no complaint, the
        person has no customer to complain)."""
        rng = self.rng
        received = received_at.date()
        mine = [c for c in self.customers[person.id] if not c.lost_by(received) and c.registered <= received]
        if not mine:
            return None
        answered_at = received_at + timedelta(
            minutes=rng.randint(20, 360) if rng.random() < 0.95 else rng.randint(18 * 60, 30 * 60)
        )
        if outcome == "quick":
            left = max(30, int((received_at + timedelta(hours=24) - answered_at).total_seconds() // 60) - 10)
            resolved_at = answered_at + timedelta(minutes=rng.randint(min(30, left), left))
        elif outcome == "slow":  # in working hours two to six days later
            resolved_at = self._moment(received + timedelta(days=rng.randint(2, 6)), 9, 18)
        elif outcome == "carried":  # resolved only after the period's end
            after = max(received + timedelta(days=2), period_end + timedelta(days=1))
            resolved_at = self._moment(after + timedelta(days=rng.randint(0, 3)), 9, 18)
        else:
            resolved_at = None
        doc = {
            "id": self._id("cmp"),
            "person": person.id,
            "received": _iso(received),
            "customer": rng.choice([c for c in mine if c.big_on(received)] or mine).id,
            "received_at": _iso(received_at),
            "answered_at": _iso(answered_at),
            "fault": self._weighted({"none": 0.5, "staff": 0.3, "company": 0.2}),
            "note": rng.choice(_COMPLAINTS),
        }
        if resolved_at is not None:
            doc["resolved_at"] = _iso(resolved_at)
        settled = (resolved_at or received_at).date()
        self._settled(line, "complaint", doc, received, settled, later=("answered_at", "resolved_at"))
        return resolved_at or False

    def _settled(
        self, line: str, kind: str, doc: dict, belongs: date, settled: date, later: tuple[str, ...]
    ) -> None:
        """Enter a record the week it is settled, by the end of the month it belongs to; a time
        after that is left out and added by an update when it comes."""
        day = entry_day(settled, belongs)
        pending = {k: doc[k] for k in later if k in doc and datetime.fromisoformat(doc[k]).date() > day}
        self.enter(day, line, kind, {k: v for k, v in doc.items() if k not in pending})
        if pending:
            when = max(datetime.fromisoformat(v).date() for v in pending.values())
            self.updates.append((entry_day(when, when), line, kind, doc["id"], pending))

    def feedback(self, line: str, person: Staff, month: Month) -> None:
        rng = self.rng
        days = self._active(person, month.first_day, month.last_day)
        if not days:
            return
        for _ in range(self._weighted({0: 0.2, 1: 0.4, 2: 0.3, 3: 0.1})):
            raised_at = self._moment(rng.choice(days), 9, 18)
            due_at = raised_at + timedelta(hours=rng.choice([24, 48, 48, 72]))
            answer = self._weighted({"timely": 0.9, "late": 0.07, "never": 0.03})
            doc = {
                "id": self._id("fbk"),
                "person": person.id,
                "customer": rng.choice(self.customers[person.id]).id,
                "raised_at": _iso(raised_at),
                "due_at": _iso(due_at),
            }
            if answer == "timely":
                span = int((due_at - raised_at).total_seconds() // 60)
                doc["answered_at"] = _iso(raised_at + timedelta(minutes=rng.randint(60, span)))
            elif answer == "late":
                doc["answered_at"] = _iso(due_at + timedelta(minutes=rng.randint(60, 72 * 60)))
            settled = datetime.fromisoformat(doc.get("answered_at", doc["due_at"])).date()
            self._settled(line, "feedback_request", doc, due_at.date(), settled, later=("answered_at",))

    def featured(self, line: str, person: Staff, quarter: Quarter) -> None:
        rng = self.rng
        days = self._active(person, quarter.first_day, quarter.last_day)
        if not days or rng.random() >= 0.15:
            return
        day = rng.choice(days)
        mine = [c for c in self.customers[person.id] if c.big_on(day)] or self.customers[person.id]
        self.enter(
            entry_day(day, day),
            line,
            "featured_service",
            {
                "id": self._id("fsv"),
                "person": person.id,
                "date": _iso(day),
                "name": rng.choice(_FEATURED),
                "customer": rng.choice(mine).id,
            },
        )

    # --- money and time --------------------------------------------------------------------------

    def budgets_and_expenses(self, line: str, people: list[Staff], quarter: Quarter) -> None:
        """Each person's quarterly service budget (not one who joins during the quarter) and the
        department's own, entered on the quarter's first working day; the expenses against them,
        some people over budget."""
        rng = self.rng
        low, high, step = _BUDGETS.get(line, _DEFAULT_BUDGET)
        opening = working_days(quarter.first_day, quarter.last_day)[0]
        total = Decimal(0)
        for person in people:
            days = self._active(person, quarter.first_day, quarter.last_day)
            if not days:
                continue
            budget = Decimal(rng.randrange(low // step, high // step + 1) * step)
            if person.start <= quarter.first_day:
                self.enter(
                    opening,
                    line,
                    "budget",
                    {"quarter": str(quarter), "amount": str(budget), "person": person.id},
                )
                total += budget
            spend = budget * Decimal(
                rng.choice(["0.55", "0.7", "0.8", "0.85", "0.9", "0.95", "0.98", "1.05", "1.15", "1.3"])
            )
            self._expenses(line, person.id, days, spend, rng.randint(3, 8))
        own = Decimal(rng.randrange(30, 81) * 100)  # the department's own events
        department = _hundreds(total * Decimal(str(rng.choice(["1", "1.02", "1.05", "1.1"]))) + own)
        self.enter(opening, line, "budget", {"quarter": str(quarter), "amount": str(department)})
        days = working_days(quarter.first_day, quarter.last_day)
        self._expenses(
            line, None, days, own * Decimal(rng.choice(["0.7", "0.9", "1", "1.2"])), rng.randint(1, 2)
        )

    def _expenses(self, line: str, person: str | None, days: list[date], total: Decimal, n: int) -> None:
        rng = self.rng
        weights = [rng.random() + 0.2 for _ in range(n)]
        customers = (
            self.customers.get(person, [])
            if person
            else [c for p in self.staff[line] for c in self.customers[p.id] if c.big_at_start]
        )
        for weight in weights:
            day = rng.choice(days)
            doc = {
                "id": self._id("exp"),
                "date": _iso(day),
                "amount": _money(total * Decimal(weight) / Decimal(sum(weights))),
                "category": rng.choice(_EXPENSE_CATEGORIES) if person else "event",
            }
            if person:
                doc["person"] = person
            known = [c for c in customers if c.registered <= day]
            if known and rng.random() < 0.85:
                doc["customer"] = rng.choice(known).id
            self.enter(entry_day(day, day), line, "expense", doc)

    def attendance(self, line: str, people: list[Staff], month: Month) -> None:
        rng = self.rng
        for person in people:
            days = self._active(person, month.first_day, month.last_day)
            if not days:
                continue
            self.enter(
                month.last_day,
                line,
                "attendance",
                {
                    "person": person.id,
                    "month": str(month),
                    "late_arrivals": self._weighted({0: 0.6, 1: 0.28, 2: 0.07, 3: 0.03, 4: 0.015, 5: 0.005}),
                    "absences": 1 if rng.random() < 0.04 else 0,
                    "working_days": len(days),
                },
            )

    def kpi_sheets(self, line: str, people: list[Staff], quarter: Quarter) -> None:
        """The raters' sheets of the quarter, entered on its last working day: the rated items only
        (communication, responsibility, learning); a few raters leave someone unrated."""
        rng = self.rng
        day = last_working_day(quarter.months[-1])
        marks = ["2.5", "3", "3.5", "3.5", "4", "4", "4", "4.5", "4.5", "5"]
        for person in people:
            if person.start > day:
                continue
            for role, rater in self.raters[line]:
                if rng.random() < 0.12:
                    continue
                self.enter(
                    day,
                    line,
                    "kpi",
                    {
                        "person": person.id,
                        "rater_role": role,
                        "rater": rater(person.branch),
                        "quarter": str(quarter),
                        "scorecard": {
                            name: rng.choice(marks)
                            for name in ("communication", "responsibility", "learning")
                        },
                    },
                )

    # --- the calls -------------------------------------------------------------------------------

    def calls(self) -> list[tuple[date, str, tuple]]:
        """(day, method, args) of intake calls, in date order: a day's records of one kind and line
        in one ``record_batch`` (in chunks of BATCH_MAX; a single record by its own call), customers
        first as the rest name them, then the day's updates."""
        lines = {line: i for i, line in enumerate(self.staff)}
        groups: dict[tuple[date, int, int], dict[str, dict]] = {}
        for day, line, kind, doc in self.entries:
            # a customer registered twice in a batch (two changes in a week): its latest state
            groups.setdefault((day, KIND_ORDER[kind], lines[line]), {})[record_key(kind, doc)] = doc
        out = []
        kinds, names = list(METHODS), list(self.staff)
        for (day, kind_no, line_no), by_key in sorted(groups.items(), key=lambda kv: kv[0]):
            kind, line, docs = kinds[kind_no], names[line_no], list(by_key.values())
            for i in range(0, len(docs), BATCH_MAX):
                chunk = docs[i : i + BATCH_MAX]
                if len(chunk) == 1:
                    out.append((day, METHODS[kind], (line, chunk[0])))
                else:
                    out.append((day, "record_batch", (line, kind, chunk)))
        for day, line, kind, key, changes in self.updates:
            out.append((day, "update_record", (line, kind, key, changes)))
        for day, line, plan, decision in self.plan_decisions:
            out.append((day, "decide_development_plan", (line, plan, decision)))
        return sorted(out, key=lambda c: c[0])  # stable: a day's records before its updates
