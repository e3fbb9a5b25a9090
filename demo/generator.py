"""A seeded sample organisation and a year of its activity, as the RPC calls that replay it.

Same seed and size -> the same organisation and the same calls, in date order. Three sales business
lines: a telecom city company, a software key-account department and a bank sub-branch; and seven
lines of seed 002's other schemes (demo/schemes.py: service and call centres, customer managers'
scorecards, a bank's grade ladder, power-supply and railway deadlines, key-account assistants' pay). Besides
the random texture, a fixed cast (lin, fang, bo) has activity worked out by hand in
tests/demo/test_demo_year.py. The work around big customers that the indicators are computed on
(customer register, visit plans and visits, development plans, complaints, feedback, budgets and
expenses, attendance, featured services, KPI sheets) is demo/work.py's, drawn from a generator of
its own after the rest: every other call, and so every figure of money and points, is the same
with or without it.

An action is (day, service, method, args); the replayer calls rpc.<service>.<method>(*args).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from demo import schemes
from demo.work import CustomerWork, Staff
from kamkit.periods import Month, Quarter

TELECOM, SOFTWARE, BANKING = "city-telecom", "fuzhou-software", "gulou-bank"
# the lines of seed 002's other schemes (demo/schemes.py): a year of each, closed like the rest
SCHEME_LINES = tuple(schemes.LINES)
ALL_LINES = (TELECOM, SOFTWARE, BANKING, *SCHEME_LINES)


@dataclass(frozen=True)
class Size:
    branches: int = 6
    managers_per_branch: tuple[int, int] = (4, 8)
    opportunities_per_month: float = 1.5  # per account manager
    deals_per_month: float = 1.0
    reps: int = 6
    loan_managers: int = 5

    @classmethod
    def small(cls) -> Size:
        return cls(
            branches=2,
            managers_per_branch=(2, 3),
            opportunities_per_month=0.7,
            deals_per_month=0.5,
            reps=3,
            loan_managers=3,
        )


@dataclass(frozen=True)
class Action:
    day: date
    service: str
    method: str
    args: tuple
    kwargs: tuple = ()  # (name, value) pairs
    as_principal: str | None = None  # made by another principal than the demo's administrator


APPROVER = "zhao.min"  # the second manager who decides the demo's target changes (docs/rules.md §7)


class _Names:
    """Readable names for the generated people and branches, drawn from a generator of their own
    so that the year's activity (and every figure of it) is the same with or without them."""

    SURNAMES = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    )
    GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯晨欣怡佳琪雪梅"
    FIXED = {
        "lin": "林晓",
        "fang": "方敏",
        "bo": "柏涛",
        "city-admin": "市公司管理员",
        "head": "支行长",
        "teller": "柜员推荐人",
    }
    BRANCHES = [
        "鼓楼分公司",
        "台江分公司",
        "仓山分公司",
        "晋安分公司",
        "马尾分公司",
        "长乐分公司",
        "福清分公司",
        "闽侯分公司",
        "连江分公司",
        "罗源分公司",
        "闽清分公司",
        "永泰分公司",
        "平潭分公司",
    ]

    def __init__(self, seed: int):
        self.rng, self.given = random.Random(seed * 7919 + 1), {}

    def person(self, pid: str) -> str:
        if pid in self.FIXED:
            return self.FIXED[pid]
        if pid not in self.given:
            self.given[pid] = (
                self.rng.choice(self.SURNAMES)
                + self.rng.choice(self.GIVEN)
                + (self.rng.choice(self.GIVEN) if self.rng.random() < 0.7 else "")
            )
        return self.given[pid]

    def branch(self, bid: str) -> str:
        index = 0 if bid == "gulou" else int(bid[2:]) if bid.startswith("br") and bid[2:].isdigit() else -1
        return self.BRANCHES[index] if 0 <= index < len(self.BRANCHES) else bid


def _money(rng: random.Random, low: int, high: int, step: int = 100) -> str:
    return str(Decimal(rng.randrange(low // step, high // step + 1) * step))


class YearGenerator:
    def __init__(self, seed: int = 2026, year: int = 2026, size: Size = Size()):
        self.rng = random.Random(seed)
        self.decisions = random.Random(seed * 7919 + 11)  # confirmations: apart from the year's draws
        self.seed = seed
        self.year, self.size = year, size
        self.actions: list[Action] = []
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:05d}"

    def add(self, day, service, method, *args):
        self.actions.append(Action(day, service, method, args))

    def days(self, month: Month):
        return [
            month.first_day + timedelta(days=i) for i in range((month.last_day - month.first_day).days + 1)
        ]

    # --- the organisation --------------------------------------------------------------------

    def organisation(self):
        start = date(self.year, 1, 1)
        names = _Names(self.seed)

        def reg(line, kind, doc):
            if kind == "person":
                doc = {**doc, "name": names.person(doc["id"])}
            elif kind == "branch":
                doc = {**doc, "name": names.branch(doc["id"])}
            self.add(start, "intake", f"register_{kind}", line, doc)

        self.add(
            start,
            "intake",
            "register_business_line",
            {"key": TELECOM, "plugin": "telecom", "name": "市电信政企"},
        )
        self.add(start, "intake", "register_business_line", {"key": SOFTWARE, "plugin": "software"})
        self.add(start, "intake", "register_business_line", {"key": BANKING, "plugin": "banking"})
        self.telecom_ams: list[tuple[str, str]] = []
        for b in range(self.size.branches):
            branch = "gulou" if b == 0 else f"br{b}"
            reg(TELECOM, "branch", {"id": branch, "urban": b < 2})
            for role in ("branch_manager", "deputy_manager", "center_director", "entry_admin"):
                reg(TELECOM, "person", {"id": f"{branch}-{role}", "role": role, "branch": branch})
            count = self.rng.randint(*self.size.managers_per_branch)
            for i in range(count):
                pid = "lin" if (b == 0 and i == 0) else f"{branch}-am{i}"
                reg(
                    TELECOM,
                    "person",
                    {"id": pid, "role": "account_manager", "branch": branch, "start_date": "2024-01-01"},
                )
                if pid != "lin":
                    self.telecom_ams.append((pid, branch))
        reg(TELECOM, "person", {"id": "city-admin", "role": "city_admin"})
        # software: the key-account department
        for pid, role in (
            ("ka-manager", "deputy_manager"),
            ("sales-ops", "city_admin"),
            ("director", "branch_manager"),
        ):
            reg(SOFTWARE, "person", {"id": pid, "role": role})
        self.reps = ["fang"] + [f"rep{i}" for i in range(1, self.size.reps)]
        for i, rep in enumerate(self.reps):
            new = i == len(self.reps) - 1  # one new this year
            reg(
                SOFTWARE,
                "person",
                {
                    "id": rep,
                    "role": "account_manager",
                    "quarterly_target": 200000 if i == 0 else int(_money(self.rng, 150000, 300000, 10000)),
                    "start_date": f"{self.year}-04-10" if new else "2023-01-01",
                },
            )
        # banking: a sub-branch with every grade and a referrer
        reg(BANKING, "branch", {"id": "gulou"})
        reg(BANKING, "person", {"id": "head", "role": "branch_manager", "branch": "gulou"})
        grades = ["junior", "assistant", "intermediate", "senior", "junior", "intermediate"]
        self.loan_managers = ["bo"] + [f"cm{i}" for i in range(1, self.size.loan_managers)]
        # each loan manager's quarterly issuing target (the sales plan of docs/rules.md §6.1), drawn
        # apart so that the rest of the organisation and its year are the same with or without it
        targets = random.Random(self.seed * 7919 + 3)
        for i, pid in enumerate(self.loan_managers):
            grade = grades[i % len(grades)]
            reg(
                BANKING,
                "person",
                {
                    "id": pid,
                    "role": "deputy_manager" if grade == "senior" else "account_manager",
                    "grade": grade,
                    "branch": "gulou",
                    "start_date": "2025-10-01" if grade == "assistant" else "2019-01-01",
                    "grade_since": "2023-01-01",
                    "quarterly_target": 500000 if pid == "bo" else targets.randrange(8, 25) * 500000,
                },
            )
        reg(BANKING, "person", {"id": "teller", "role": "referrer", "branch": "gulou"})

    # --- the fixed cast, worked by hand in the demo test -----------------------------------------

    def cast(self):
        y = self.year
        for m in range(1, 13):  # lin enters one local 25,000 opportunity each month, on time
            day = date(y, m, 3)
            self.add(
                day,
                "intake",
                "record_opportunity",
                TELECOM,
                {
                    "id": f"lin-{m:02d}",
                    "amount": 25000,
                    "discovered": day.isoformat(),
                    "entered": day.isoformat(),
                    "branch": "gulou",
                    "account_manager": "lin",
                },
            )
        self.add(
            date(y, 3, 12),
            "intake",
            "record_opportunity",
            TELECOM,
            {
                "id": "lin-audit",
                "amount": 30000,
                "lines": 2,
                "discovered": f"{y}-03-12",
                "origin": "audit",
                "branch": "gulou",
                "account_manager": "lin",
            },
        )
        self.add(
            date(y, 1, 10),
            "intake",
            "record_deal",
            TELECOM,
            {
                "id": "lin-d1",
                "seller": "lin",
                "date": f"{y}-01-10",
                "list_price": 100000,
                "deal_price": 95000,
            },
        )
        for q, amount in zip((2, 5, 8, 11), (60000, 180000, 260000, 280000)):
            self.add(
                date(y, q, 15),
                "intake",
                "record_collection",
                SOFTWARE,
                {"id": f"fang-{q:02d}", "rep": "fang", "date": f"{y}-{q:02d}-15", "amount": amount},
            )
        # orders past every single-order bonus step (003 §六1), sold at list price
        seller = self.telecom_ams[0][0]
        for m, price in ((4, 320000), (7, 550000), (10, 1050000)):
            self.add(
                date(y, m, 18),
                "intake",
                "record_deal",
                TELECOM,
                {
                    "id": f"big-{m:02d}",
                    "seller": seller,
                    "date": f"{y}-{m:02d}-18",
                    "list_price": price,
                    "deal_price": price,
                },
            )
        for m in range(1, 13):
            for i, kind in enumerate(("new", "new", "new", "renewal")):
                day = date(y, m, 5 + i)
                self.add(
                    day,
                    "intake",
                    "record_loan",
                    BANKING,
                    {
                        "id": f"bo-{m:02d}-{i}",
                        "manager": "bo",
                        "amount": 40000,
                        "issued": day.isoformat(),
                        "kind": kind,
                    },
                )

    # --- texture --------------------------------------------------------------------------------

    def telecom_month(self, month: Month):
        rng = self.rng
        for pid, branch in self.telecom_ams:
            n = int(self.size.opportunities_per_month + rng.random())
            for _ in range(n):
                day = rng.choice(self.days(month)[:-3])
                amount = rng.choice(
                    [
                        _money(rng, 8000, 19000),
                        _money(rng, 20000, 49000),
                        _money(rng, 50000, 190000),
                        _money(rng, 200000, 900000, 1000),
                    ]
                )
                late = rng.random() < 0.12
                entered = day + timedelta(days=rng.randint(8, 15) if late else rng.randint(0, 3))
                oid = self._id("o")
                doc = {
                    "id": oid,
                    "amount": amount,
                    "lines": rng.choice([1, 2, 3, 6]) if rng.random() < 0.3 else 1,
                    "scope": "citywide" if rng.random() < 0.25 else "local",
                    "discovered": day.isoformat(),
                    "branch": branch,
                    "account_manager": pid,
                }
                if rng.random() < 0.06:  # found by the city audit: recorded when found
                    doc.update(origin="audit", competitor_single_source=rng.random() < 0.3)
                    entered = day
                else:
                    doc.update(entered=entered.isoformat(), quality="poor" if rng.random() < 0.05 else "ok")
                self.add(entered, "intake", "record_opportunity", TELECOM, doc)
                if Decimal(amount) >= 20000 and "entered" in doc:
                    self.confirm(oid, branch, Decimal(amount), entered)
                if Decimal(amount) >= 20000 and "entered" in doc:
                    follow = entered
                    while True:  # weekly follow-ups, sometimes late
                        follow += timedelta(days=rng.choice([6, 7, 7, 9, 15]))
                        if follow > entered + timedelta(days=rng.choice([20, 45, 90])):
                            break
                        self.add(
                            follow,
                            "intake",
                            "post_follow_up",
                            TELECOM,
                            {"id": self._id("f"), "opportunity": oid, "date": follow.isoformat()},
                        )
                if Decimal(amount) >= 50000 and rng.random() < 0.15 and "entered" in doc:
                    lost = entered + timedelta(days=20)
                    self.add(lost, "intake", "update_record", TELECOM, "opportunity", oid, {"status": "lost"})
                    verdict = rng.choice(["subjective", "objective"])
                    decided = lost + timedelta(days=rng.randint(3, 25))
                    self.add(
                        decided,
                        "intake",
                        "record_loss_review",
                        TELECOM,
                        {"opportunity": oid, "verdict": verdict, "decided": decided.isoformat()},
                    )
            for _ in range(int(self.size.deals_per_month + rng.random())):
                day = rng.choice(self.days(month))
                listed = int(
                    rng.choice(
                        [_money(rng, 5000, 60000), _money(rng, 300000, 1200000, 10000)]
                        if rng.random() < 0.08
                        else [_money(rng, 5000, 60000)]
                    )
                )
                ratio = rng.choice(["0.95", "0.9", "0.85", "0.75", "0.65", "0.55"])
                self.add(
                    day,
                    "intake",
                    "record_deal",
                    TELECOM,
                    {
                        "id": self._id("d"),
                        "seller": pid,
                        "date": day.isoformat(),
                        "list_price": listed,
                        "deal_price": str(Decimal(listed) * Decimal(ratio)),
                    },
                )
        if rng.random() < 0.5:
            day = rng.choice(self.days(month))
            self.add(
                day,
                "intake",
                "record_deal",
                TELECOM,
                {
                    "id": self._id("d"),
                    "seller": "agent-minjiang",
                    "agent": True,
                    "date": day.isoformat(),
                    "list_price": 50000,
                    "deal_price": 50000,
                },
            )

    def software_month(self, month: Month):
        rng = self.rng
        for rep in self.reps[1:]:
            if rng.random() < 0.5:
                continue
            day = rng.choice(self.days(month))
            kind = rng.choice(["product"] * 5 + ["implementation", "training", "secondary_dev", "add_module"])
            doc = {
                "id": self._id("c"),
                "rep": rep,
                "date": day.isoformat(),
                "amount": _money(rng, 20000, 200000),
                "revenue_kind": kind,
                "partner_share": _money(rng, 0, 8000),
            }
            if kind == "secondary_dev":
                doc["gross_margin"] = _money(rng, 5000, 15000)
            others = [r for r in self.reps[1:] if r != rep]
            roll = rng.random()
            if others and roll < 0.15:  # a joint sale: the collector 70%, the other 30%
                doc["joint_with"] = rng.choice(others)
            elif others and roll < 0.25:  # several reps: split by recorded contribution
                doc["contributions"] = [
                    {"person": rep, "share": "0.6"},
                    {"person": rng.choice(others), "share": "0.4"},
                ]
            self.add(day, "intake", "record_collection", SOFTWARE, doc)

    def banking_month(self, month: Month):
        rng = self.rng
        for pid in self.loan_managers[1:]:
            for _ in range(rng.randint(0, 4)):
                day = rng.choice(self.days(month))
                self.add(
                    day,
                    "intake",
                    "record_loan",
                    BANKING,
                    {
                        "id": self._id("l"),
                        "manager": pid,
                        "amount": _money(rng, 10000, 2500000, 1000),
                        "issued": day.isoformat(),
                        "kind": rng.choice(["new", "new", "renewal", "extension", "merge"]),
                        **({"referrer": "teller"} if rng.random() < 0.3 else {}),
                    },
                )
        for pid in self.loan_managers:
            balance = int(_money(rng, 2000000, 8000000, 10000))
            self.add(
                month.last_day,
                "intake",
                "record_portfolio",
                BANKING,
                {
                    "manager": pid,
                    "month": str(month),
                    "balance": balance,
                    "overdue_balance": str(
                        Decimal(balance) * Decimal(rng.choice(["0", "0.005", "0.012", "0.02"]))
                    ),
                    "borrowers": rng.randint(20, 80),
                    "loans_managed": rng.randint(20, 90),
                    "loans_handled": rng.randint(20, 200),
                    "interest_recovered": _money(rng, 5000, 40000),
                },
            )

    # --- the work around big customers (demo/work.py) -----------------------------------------

    def customer_work(self):
        """The customer register, visits, plans, complaints, feedback, budgets, expenses,
        attendance, featured services and KPI sheets of the year, from a generator of their own."""
        docs = {a.args[1]["id"]: a.args[1] for a in self.actions if a.method == "register_person"}

        def staff(line, people):
            return [
                Staff(
                    pid, line, branch, date.fromisoformat(docs[pid].get("start_date") or f"{self.year}-01-01")
                )
                for pid, branch in people
            ]

        work = CustomerWork(
            self.seed,
            self.year,
            {
                TELECOM: staff(TELECOM, [("lin", "gulou"), *self.telecom_ams]),
                SOFTWARE: staff(SOFTWARE, [(rep, None) for rep in self.reps]),
                BANKING: staff(BANKING, [(pid, "gulou") for pid in self.loan_managers]),
            },
        )
        work.generate()
        for day, method, args in work.calls():
            self.add(day, "intake", method, *args)

    def scheme_work(self):
        """The seven lines of seed 002's other schemes (demo/schemes.py), from a generator of their own."""
        for day, method, args, kwargs in schemes.SchemeYear(self.seed, self.year).calls():
            self.actions.append(Action(day, "intake", method, args, kwargs))

    # --- closing ------------------------------------------------------------------------------

    def confirm(self, oid: str, branch: str, amount: Decimal, entered: date):
        """Its confirming role in the branch confirms an opportunity of 20,000 or more a few days
        after its entry, or (1 in 12) rejects it (docs/rules.md §1.1). Drawn from a generator of
        its own, so the rest of the year is the same with or without confirmations."""
        rng = self.decisions
        role = (
            "branch_manager"
            if amount >= 200000
            else "deputy_manager"
            if amount >= 50000
            else "center_director"
        )
        reject = rng.random() < 1 / 12
        day = entered + timedelta(days=rng.randint(0, 3))
        doc = {
            "opportunity": oid,
            "decision": "reject" if reject else "confirm",
            "by": f"{branch}-{role}",
            "date": day.isoformat(),
            "note": "not a real tender: the customer was asking prices" if reject else "tender confirmed",
        }
        self.add(day, "intake", "confirm_opportunity", TELECOM, doc)

    def targets(self):
        """Targets and their changes (docs/rules.md §7): set and asked for by the demo's
        administrator, decided by another manager, APPROVER. Telecom: one account manager gets a
        monthly target of 25,000 from July (nothing stood but the line's base task); software: the
        second rep asks to lower their quarterly target from Q3 (approved), the third to raise theirs
        from Q4 (rejected). fang, whose year is a worked example, keeps hers."""
        y, am = self.year, self.telecom_ams[0][0]
        self.add(
            date(y, 6, 25),
            "intake",
            "set_target",
            TELECOM,
            {"id": f"t-{am}-07", "person": am, "period": f"{y}-07", "amount": 25000, "note": "summer push"},
        )
        lower, higher = self.reps[1], self.reps[2]
        asks = (
            (
                f"c-{lower}-q3",
                lower,
                f"{y}-Q3",
                180000,
                "a key customer moved to a sister company",
                "approve",
            ),
            (f"c-{higher}-q4", higher, f"{y}-Q4", 400000, "a framework contract is expected", "reject"),
        )
        for cid, rep, period, amount, reason, decision in asks:
            first = Quarter.parse(period).first_day
            doc = {"id": cid, "person": rep, "period": period, "amount": amount, "reason": reason}
            self.add(first + timedelta(days=2), "intake", "request_target_change", SOFTWARE, doc)
            self.actions.append(
                Action(
                    first + timedelta(days=6),
                    "intake",
                    "decide_target_change",
                    (SOFTWARE, cid, decision),
                    (
                        (
                            "note",
                            "agreed at the monthly review"
                            if decision == "approve"
                            else "wait for the contract",
                        ),
                    ),
                    APPROVER,
                )
            )

    def closings(self, month: Month):
        after = month.last_day + timedelta(days=1)
        for monday in [d for d in self.days(month) if d.weekday() == 0]:
            self.add(monday, "escalation", "sweep", monday.isoformat())
            # and what falls due within days: warned once each (docs/rules.md §8)
            self.add(monday, "escalation", "warn", monday.isoformat())
            self.add(monday, "notify", "send_weekly_bulletin", monday.isoformat(), TELECOM)
        for line in ALL_LINES:
            self.add(after, "assessment", "close_month", line, str(month))
        if month.month % 3 == 0:
            for line in ALL_LINES:
                self.add(after, "compensation", "run_quarter", line, str(month.quarter))

    def year_of_actions(self) -> list[Action]:
        self.organisation()
        self.cast()
        for m in range(1, 13):
            month = Month(self.year, m)
            self.telecom_month(month)
            self.software_month(month)
            self.banking_month(month)
            self.closings(month)
        self.customer_work()
        self.targets()
        self.scheme_work()
        end = date(self.year + 1, 1, 1)  # the year's closings run on 1 January; later activity is dropped
        self.actions = [a for a in self.actions if a.day <= end]
        order = {"intake": 0, "escalation": 1, "notify": 2, "assessment": 3, "compensation": 4}
        # stable: same-day records keep generation order; closings come after the day's records
        return sorted(self.actions, key=lambda a: (a.day, order[a.service]))


def generate(seed: int = 2026, year: int = 2026, size: Size = Size()) -> list[Action]:
    return YearGenerator(seed, year, size).year_of_actions()


__all__ = ["generate", "Size", "Action", "TELECOM", "SOFTWARE", "BANKING", "SCHEME_LINES", "ALL_LINES"]
