"""The sample year of the seed-002 schemes' business lines (docs/rules.md §11-§16), as RPC calls.

Seven small lines beside the three sales lines: a customer-service department (service-centre),
a 400 call centre (call-centre), key-account customer managers on their scorecard
(customer-manager), a bank sub-branch's grade ladder (bank-grades), a power-supply office's new
connections (power-supply), a railway bureau's big customers (railway) and a bottled-water
company's key-account assistants (kam-assistant). Each month they record the work their scheme
is counted on: hand-offs, complaints and surveys; call logs and work plans; service checks,
incidents and appraisals in each assessment window; appointments to grades; applications, schemes
and meter tickets with their steps as they are done; qualifications and the year's volume; the
assistants' attendance, cleaning and delivery reports and their areas' sales.

Everything is drawn from a random generator of its own, after the rest of the year: the sales
lines' figures are the same with or without it. A case is recorded when it is opened and its steps
are added (update_record) on the day each is done; records belong to the month they are dated in
and are entered by its last day, so the month's close sees them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from kamkit.deadlines import add_working_days
from kamkit.facts import Calendar
from kamkit.periods import Month, Quarter

SERVICE, CALLS, CARD, GRADES, POWER, RAIL, WATER = (
    "city-service",
    "hotline-400",
    "key-accounts",
    "gulou-cib",
    "city-power",
    "rail-freight",
    "water-service",
)
LINES = {
    SERVICE: ("service-centre", "客服中心"),
    CALLS: ("call-centre", "400呼叫中心"),
    CARD: ("customer-manager", "大客户部客户经理"),
    GRADES: ("bank-grades", "兴业银行鼓楼支行客户经理序列"),
    POWER: ("power-supply", "市供电公司业扩报装"),
    RAIL: ("railway", "铁路局货运大客户"),
    WATER: ("kam-assistant", "桶装水大客户经理助理"),
}
# the line's calendar (docs/rules.md §6.3): every deadline of the power office counts working days by it
HOLIDAYS = tuple(
    date.fromisoformat(d)
    for d in (
        "2026-01-01 2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20 2026-04-06 2026-05-01 "
        "2026-05-04 2026-05-05 2026-06-19 2026-09-25 2026-10-01 2026-10-02 2026-10-05 2026-10-06 "
        "2026-10-07"
    ).split()
)
WORKDAYS = tuple(date.fromisoformat(d) for d in ("2026-02-14", "2026-02-28", "2026-09-27", "2026-10-10"))


class SchemeYear:
    """A year of the seven lines, as (day, intake method, args, kwargs) calls in generation order."""

    def __init__(self, seed: int, year: int):
        self.rng = random.Random(seed * 7919 + 27)
        self.year = year
        self.out: list[tuple[date, str, tuple]] = []
        self.calendar = (Calendar(year, HOLIDAYS, WORKDAYS),)

    def add(self, day: date, method: str, *args, **kwargs) -> None:
        self.out.append((day, method, args, tuple(kwargs.items())))

    def months(self):
        return [Month(self.year, m) for m in range(1, 13)]

    def calls(self):
        self.organisation()
        for month in self.months():
            self.service_month(month)
            self.calls_month(month)
            self.card_month(month)
            self.power_month(month)
            self.water_month(month)
        self.card_appraisals()
        self.grade_appointments()
        self.railway_year()
        return self.out

    # --- who is on each line ------------------------------------------------------------------

    def organisation(self):
        start = date(self.year, 1, 1)
        for key, (plugin, name) in LINES.items():
            self.add(start, "register_business_line", {"key": key, "plugin": plugin, "name": name})
            self.add(
                start,
                "register_calendar",
                key,
                {
                    "year": self.year,
                    "holidays": [d.isoformat() for d in HOLIDAYS],
                    "workdays": [d.isoformat() for d in WORKDAYS],
                },
            )
        people = {
            SERVICE: [
                ("kf-xu", "service_agent", "徐静"),
                ("kf-he", "service_agent", "何敏"),
                ("kf-tang", "service_agent", "唐宇"),
                ("kf-gao", "service_manager", "高峰"),
                ("kf-dir", "director", "林副总"),
            ],
            CALLS: [
                ("hj-lu", "call_agent", "陆洋"),
                ("hj-qin", "call_agent", "秦雪"),
                ("hj-pan", "call_agent", "潘婷"),
                ("hj-song", "call_centre_manager", "宋凯"),
                ("hj-dir", "director", "林副总"),
            ],
            CARD: [
                ("km-zhou", "account_manager", "周晨"),
                ("km-wu", "account_manager", "吴浩"),
                ("km-zheng", "account_manager", "郑琪"),
                ("km-fang", "sales_manager", "方建"),
                ("km-head", "department_head", "许总"),
            ],
            POWER: [
                ("dl-li", "supply_clerk", "李业扩"),
                ("dl-ye", "supply_clerk", "叶敏"),
                ("dl-wang", "connection_officer", "王专责"),
                ("dl-ma", "marketing", "马主任"),
                ("dl-chen", "manager", "陈副总"),
                ("dl-zhao", "metering", "赵师傅"),
            ],
            RAIL: [
                ("tl-sun", "account_manager", "孙涛"),
                ("tl-bureau", "bureau", "铁路局货运处"),
                ("tl-ministry", "ministry", "铁道部运输局"),
            ],
        }
        branches = {POWER: {"dl-li": "chengdong", "dl-ye": "chengxi"}}
        for bid, name in (("chengdong", "城东供电所"), ("chengxi", "城西供电所")):
            self.add(start, "register_branch", POWER, {"id": bid, "name": name})
        for line, staff in people.items():
            for pid, role, name in staff:
                doc = {"id": pid, "role": role, "name": name}
                if branches.get(line, {}).get(pid):
                    doc["branch"] = branches[line][pid]
                self.add(start, "register_person", line, doc)
        self._grades_people(start)
        self._water_people(start)
        customers = [
            ("bank", "城市商业银行", "kf-xu", True),
            ("port", "港务集团", "kf-he", True),
            ("hospital", "市第一医院", "kf-tang", True),
            ("mall", "万象城", "kf-xu", True),
            ("cafe", "街角咖啡", "kf-he", False),
        ]
        for cid, name, owner, big in customers:
            self.add(
                start, "register_customer", SERVICE, {"id": cid, "name": name, "owner": owner, "big": big}
            )
        self.service_customers = [c[0] for c in customers]
        self.card_customers = 0

    def _grades_people(self, start: date):
        """A sub-branch's customer managers on the CIB ladder (002/CIB 第七–十条)."""
        self.add(start, "register_branch", GRADES, {"id": "gulou", "name": "鼓楼支行"})
        staff = [
            ("cib-head", "branch_manager", "支行长", None, None, ()),
            ("cib-board", "city_admin", "市分行客户经理领导小组", None, None, ()),
            ("cib-dm", "deputy_manager", "黄高级", "senior_2", "2012-07-01", ("skills_test",)),
            ("cib-ke", "account_manager", "柯经理", "manager_1", "2019-03-01", ("skills_test",)),
            ("cib-lu", "account_manager", "卢经理", "manager_2", "2023-09-01", ("skills_test",)),
            ("cib-xia", "account_manager", "夏助理", "assistant", "2024-08-01", ("skills_test",)),
            # proposed for assistant in March, not a year in a bank by then and no skills test yet
            ("cib-new", "account_manager", "新员工", None, "2025-06-15", ()),
            # holds a grade with no appointment on record: a finding every month until one is approved
            ("cib-old", "account_manager", "欧经理", "manager_2", "2018-05-01", ("skills_test",)),
        ]
        for pid, role, name, grade, since, certificates in staff:
            doc = {"id": pid, "role": role, "name": name, "branch": "gulou"}
            if grade:
                doc.update(grade=grade, grade_since="2025-01-01")
            if since:
                doc.update(work_since=since, certificates=list(certificates))
            if role == "city_admin":  # the city branch's board: above every sub-branch
                del doc["branch"]
            self.add(start, "register_person", GRADES, doc)

    def _water_people(self, start: date):
        for bid, name in (("gulou", "鼓楼片区"), ("taijiang", "台江片区")):
            self.add(start, "register_branch", WATER, {"id": bid, "name": name})
        for pid, role, name, branch, since in (
            ("sl-lin", "assistant", "林助理", "gulou", "2024-06-10"),
            ("sl-zhou", "assistant", "周助理", "taijiang", "2025-09-15"),
            ("sl-chen", "key_account_manager", "陈经理", "gulou", "2019-03-01"),
            ("sl-wu", "key_account_manager", "吴经理", "taijiang", "2021-08-01"),
            ("sl-he", "marketing_manager", "何经理", None, "2018-01-01"),
        ):
            doc = {"id": pid, "role": role, "name": name, "start_date": since}
            if branch:
                doc["branch"] = branch
            self.add(start, "register_person", WATER, doc)
        for bid, amount in (("gulou", 200000), ("taijiang", 150000)):
            self.add(
                start,
                "set_target",
                WATER,
                {"id": f"t-{bid}", "period": f"{self.year}-01", "amount": amount, "region": bid},
            )

    # --- service centre: hand-offs, feedback, revisits, complaints, surveys (§11.1) -------------

    def _workdays(self, month: Month) -> list[date]:
        day, out = month.first_day, []
        while day <= month.last_day:
            if add_working_days(day - timedelta(days=1), 1, self.calendar) == day:
                out.append(day)
            day += timedelta(days=1)
        return out

    def service_month(self, month: Month):
        rng, days = self.rng, self._workdays(month)
        end = month.last_day
        agents = ("kf-xu", "kf-he", "kf-tang")
        planned = {a: [c for c in self.service_customers if rng.random() < 0.5] or ["bank"] for a in agents}
        for agent in agents:
            self.add(
                month.first_day,
                "record_visit_plan",
                SERVICE,
                {
                    "person": agent,
                    "month": str(month),
                    "submitted": month.first_day.isoformat(),
                    "revisits": planned[agent],
                },
            )
            for cid in planned[agent]:
                if rng.random() < 0.8:
                    day = rng.choice(days)
                    self.add(
                        day,
                        "record_visit",
                        SERVICE,
                        {
                            "id": f"v-{agent}-{month}-{cid}",
                            "person": agent,
                            "customer": cid,
                            "date": day.isoformat(),
                            "purpose": "revisit",
                        },
                    )
            for n in range(rng.randint(2, 4)):
                raised = datetime.combine(rng.choice(days[:-1]), time(9))
                due = raised + timedelta(days=1)
                # mostly answered hours before the due time; some a day late (kept in the month)
                answered = (
                    due - timedelta(hours=rng.choice((2, 5)))
                    if rng.random() < 0.85
                    else due + timedelta(hours=6)
                )
                self.add(
                    min(answered.date(), end),
                    "record_feedback_request",
                    SERVICE,
                    {
                        "id": f"f-{agent}-{month}-{n}",
                        "person": agent,
                        "raised_at": raised.isoformat(),
                        "due_at": due.isoformat(),
                        "answered_at": answered.isoformat(),
                    },
                )
            for n in range(rng.randint(1, 3)):  # information for another department (row 2)
                opened = rng.choice(days[:-2])
                passed = add_working_days(opened, 1 if rng.random() < 0.8 else 2, self.calendar)
                self.add(
                    passed,
                    "record_case",
                    SERVICE,
                    {
                        "id": f"h-{agent}-{month}-{n}",
                        "kind": "handoff",
                        "person": agent,
                        "opened": opened.isoformat(),
                        "steps": {"passed": passed.isoformat()},
                    },
                )
            if rng.random() < 0.6:
                received = datetime.combine(rng.choice(days[:-3]), time(9))
                resolved = received + timedelta(hours=rng.choice((4, 6, 20, 30, 50)))
                self.add(
                    resolved.date(),
                    "record_complaint",
                    SERVICE,
                    {
                        "id": f"k-{agent}-{month}",
                        "person": agent,
                        "customer": rng.choice(planned[agent]),
                        "received": received.date().isoformat(),
                        "received_at": received.isoformat(),
                        "resolved_at": resolved.isoformat(),
                        "satisfied": rng.random() < 0.75,
                    },
                )
            for n in range(rng.randint(1, 3)):
                day = rng.choice(days)
                self.add(
                    day,
                    "record_survey",
                    SERVICE,
                    {
                        "id": f"s-{agent}-{month}-{n}",
                        "date": day.isoformat(),
                        "person": agent,
                        "score": rng.choice((70, 78, 85, 88, 92, 96)),
                    },
                )
        for n, dept in enumerate(("销售部", "财务部", "工程部")):  # the cooperation sheets (row 9)
            day = days[-1]
            self.add(
                day,
                "record_survey",
                SERVICE,
                {
                    "id": f"coop-{month}-{n}",
                    "date": day.isoformat(),
                    "subject": "cooperation",
                    "department": dept,
                    "score": rng.choice((65, 72, 80, 86, 90)),
                },
            )
        if month.month == 7:  # a big customer lost in July (row 6)
            self.add(
                date(self.year, 7, 20),
                "update_record",
                SERVICE,
                "customer",
                "port",
                {
                    "changes": [
                        {
                            "date": f"{self.year}-07-20",
                            "change": "lost",
                            "reason": "集团集中采购，业务转至总部签约",
                        }
                    ]
                },
            )

    # --- 400 call centre: calls, plans, budget, surveys (§11.2) ---------------------------------

    def calls_month(self, month: Month):
        rng, last = self.rng, month.last_day
        totals = {"inbound": 0, "outbound": 0, "answered": 0, "transferred": 0, "blocked": 0, "abandoned": 0}
        for agent in ("hj-lu", "hj-qin", "hj-pan"):
            inbound, outbound = rng.randint(1200, 1700), rng.randint(150, 300)
            answered = inbound + outbound - rng.randint(40, 120)
            log = {
                "inbound": inbound,
                "outbound": outbound,
                "answered": answered,
                "transferred": answered * rng.randint(5, 13) // 100,
            }
            for k, v in log.items():
                totals[k] += v
            self.add(last, "record_call_log", CALLS, {"month": str(month), "person": agent, **log})
        blocked, abandoned = rng.randint(80, 140), rng.randint(180, 280)
        centre = {
            **totals,
            "inbound": totals["inbound"] + blocked + abandoned,
            "blocked": blocked,
            "abandoned": abandoned,
        }
        self.add(last, "record_call_log", CALLS, {"month": str(month), **centre})
        self.add(
            last,
            "record_expense",
            CALLS,
            {
                "id": f"exp-{month}",
                "date": last.isoformat(),
                "amount": str(rng.randint(180, 215) * 100),
                "category": "线路及外呼费用",
            },
        )
        for n in range(rng.randint(2, 4)):
            day = last - timedelta(days=rng.randint(0, 20))
            self.add(
                day,
                "record_survey",
                CALLS,
                {"id": f"hs-{month}-{n}", "date": day.isoformat(), "score": rng.choice((72, 80, 86, 91, 95))},
            )
        if month.month % 3 == 1:
            q = month.quarter
            self.add(month.first_day, "record_budget", CALLS, {"quarter": str(q), "amount": 60000})
            self._quarter_plans(q)

    def _quarter_plans(self, q: Quarter):
        """The quarter's plans, recorded at its start; each item's day done added when it is done."""
        rng = self.rng
        names = {
            "business": ("夜间热线值守", "会员续费外呼", "新产品咨询专席", "工单回访"),
            "survey": ("季度满意度调研",),
            "process": ("转接流程优化", "工单闭环改造"),
        }
        for plan, items in names.items():
            pid = f"{plan}-{q}"
            docs = [{"id": f"{pid}-{i}", "name": n} for i, n in enumerate(items)]
            self.add(
                q.first_day,
                "record_work_plan",
                CALLS,
                {"id": pid, "period": str(q), "plan": plan, "items": [dict(d) for d in docs]},
            )
            # the days done, on copies: the plan above was recorded without them
            docs = [
                {**d, "done": (q.first_day + timedelta(days=rng.randint(10, 88))).isoformat()}
                if rng.random() < 0.8
                else d
                for d in docs
            ]
            done_day = max((date.fromisoformat(d["done"]) for d in docs if "done" in d), default=q.last_day)
            self.add(min(done_day, q.last_day), "update_record", CALLS, "work_plan", pid, {"items": docs})

    # --- customer managers: plans, checks, new customers, incidents, attendance (§12) -----------

    def card_month(self, month: Month):
        rng, days = self.rng, self._workdays(month)
        managers = ("km-zhou", "km-wu", "km-zheng")
        if month.month % 3 == 1:
            q = month.quarter
            for m in managers:
                planned = rng.randint(18, 22)
                items = [{"id": f"{m}-{q}-{i}", "name": f"客户服务计划第{i + 1}项"} for i in range(planned)]
                self.add(
                    q.first_day,
                    "record_work_plan",
                    CARD,
                    {"id": f"{m}-{q}", "period": str(q), "plan": "service", "person": m, "items": items},
                )
                rate = {"km-zhou": 1.05, "km-wu": 0.85, "km-zheng": 0.95}[m]
                done = [
                    dict(item, done=(q.first_day + timedelta(days=5 + 4 * i)).isoformat())
                    for i, item in enumerate(items[: min(planned, round(planned * rate))])
                ]
                self.add(
                    q.last_day,
                    "update_record",
                    CARD,
                    "work_plan",
                    f"{m}-{q}",
                    {"items": done + items[len(done) :]},
                )
        for m in managers:
            passed = {
                "km-zhou": 0.6 + 0.03 * month.month,
                "km-wu": 0.85,
                "km-zheng": 0.7 + 0.01 * month.month,
            }[m]
            for n in range(4):
                day = rng.choice(days)
                self.add(
                    day,
                    "record_standard_check",
                    CARD,
                    {
                        "id": f"sc-{m}-{month}-{n}",
                        "person": m,
                        "date": day.isoformat(),
                        "passed": rng.random() < passed,
                        "standard": "首问负责制",
                    },
                )
            late = rng.choice((0, 0, 0, 1, 1, 2))
            self.add(
                month.last_day,
                "record_attendance",
                CARD,
                {"person": m, "month": str(month), "late_arrivals": late},
            )
            if rng.random() < 0.25:
                self.card_customers += 1
                day = rng.choice(days)
                self.add(
                    day,
                    "register_customer",
                    CARD,
                    {
                        "id": f"kc{self.card_customers:03d}",
                        "name": f"新客户{self.card_customers}",
                        "owner": m,
                        "changes": [{"date": day.isoformat(), "change": "new_big"}],
                    },
                )
            if rng.random() < 0.12:
                day = rng.choice(days)
                kind = rng.choice(("sales_rule", "teamwork", "conduct"))
                self.add(
                    day,
                    "record_incident",
                    CARD,
                    {
                        "id": f"in-{m}-{month}",
                        "person": m,
                        "date": day.isoformat(),
                        "kind": kind,
                        "note": {
                            "sales_rule": "未按规定审批报价",
                            "teamwork": "缺席项目协调会",
                            "conduct": "着装不合规范",
                        }[kind],
                    },
                )

    def card_appraisals(self):
        """Each quarter (and the year) appraised on the first day of its window; one self-appraisal
        a quarter arrives after the window and is kept, not counted (docs/rules.md §10.4)."""
        rng = self.rng
        items = ("knowledge", "judgement", "communication", "adaptability", "responsibility")
        periods = [
            (str(Quarter(self.year, q)), Quarter(self.year, q).last_day + timedelta(days=1))
            for q in range(1, 5)
        ]
        periods.append((str(self.year), date(self.year + 1, 1, 1)))
        for period, first in periods:
            for m in ("km-zhou", "km-wu", "km-zheng"):
                base = {"km-zhou": 4, "km-wu": 3, "km-zheng": 4}[m]
                for kind, rater, extra in (("manager", "km-fang", {}), ("self", m, {})):
                    points = {k: min(5, max(1, base + rng.choice((-1, 0, 0, 1)))) for k in items}
                    late = kind == "self" and m == "km-wu"
                    day = first + timedelta(days=11) if late else first
                    self.add(
                        day,
                        "record_appraisal",
                        CARD,
                        {
                            "id": f"ap-{period}-{m}-{kind}",
                            "person": m,
                            "period": period,
                            "rater_kind": kind,
                            "rater": rater,
                            "submitted": day.isoformat(),
                            "items": points,
                            **extra,
                        },
                    )

    # --- bank grades: appointments proposed and approved (§13) ----------------------------------

    def grade_appointments(self):
        y = self.year
        approved = (
            ("cib-dm", "senior_2"),
            ("cib-ke", "manager_1"),
            ("cib-lu", "manager_2"),
            ("cib-xia", "assistant"),
        )
        for n, (pid, grade) in enumerate(approved):
            self.add(
                date(y, 1, 5),
                "record_appointment",
                GRADES,
                {
                    "id": f"ap-{pid}",
                    "person": pid,
                    "grade": grade,
                    "proposed_by": "cib-head",
                    "proposed_on": "2025-12-20",
                },
            )
            # the city branch's board approves (第七条); the demo's administrator records it for them
            self.add(
                date(y, 1, 8 + n),
                "decide_appointment",
                GRADES,
                f"ap-{pid}",
                "approve",
                decided_by="cib-board",
                decided_on=date(y, 1, 8 + n).isoformat(),
            )
        # proposed in March for someone without a year in a bank on that day or the skills test
        self.add(
            date(y, 3, 10),
            "record_appointment",
            GRADES,
            {
                "id": "ap-cib-new",
                "person": "cib-new",
                "grade": "assistant",
                "proposed_by": "cib-head",
                "proposed_on": f"{y}-03-10",
            },
        )
        # cib-old's grade is proposed in September and waits for the board past the year end
        self.add(
            date(y, 9, 14),
            "record_appointment",
            GRADES,
            {
                "id": "ap-cib-old",
                "person": "cib-old",
                "grade": "manager_2",
                "proposed_by": "cib-head",
                "proposed_on": f"{y}-09-14",
            },
        )

    # --- power supply: applications, schemes, meter tickets (§14) -------------------------------

    def power_month(self, month: Month):
        rng, days = self.rng, self._workdays(month)
        for n in range(rng.randint(2, 3)):
            clerk = rng.choice(("dl-li", "dl-ye"))
            opened = rng.choice(days[:15])
            supply = "dual" if rng.random() < 0.3 else "single"
            cid = f"app-{month}-{n}"
            self.add(
                opened,
                "record_case",
                POWER,
                {
                    "id": cid,
                    "kind": "supply_application",
                    "person": clerk,
                    "opened": opened.isoformat(),
                    "attributes": {"voltage": "high", "supply": supply},
                },
            )
            passed = add_working_days(opened, rng.choice((2, 3, 4, 5, 5, 7)), self.calendar)
            limit = 30 if supply == "dual" else 20
            replied = add_working_days(
                opened, rng.choice((limit - 6, limit - 2, limit, limit + 3)), self.calendar
            )
            self.add(
                passed, "update_record", POWER, "case", cid, {"steps": {"passed_on": passed.isoformat()}}
            )
            self.add(
                replied,
                "update_record",
                POWER,
                "case",
                cid,
                {"steps": {"passed_on": passed.isoformat(), "replied": replied.isoformat()}},
            )
            scheme = f"scheme-{month}-{n}"
            self.add(
                replied,
                "record_case",
                POWER,
                {
                    "id": scheme,
                    "kind": "supply_scheme",
                    "person": "dl-wang",
                    "opened": replied.isoformat(),
                    "steps": {"issued": replied.isoformat()},
                    "attributes": {"voltage": "high"},
                },
            )
        installed = rng.choice(days)
        ticket = f"ticket-{month}"
        self.add(
            installed,
            "record_case",
            POWER,
            {
                "id": ticket,
                "kind": "meter_ticket",
                "person": "dl-zhao",
                "opened": installed.isoformat(),
                "steps": {"installed": installed.isoformat()},
            },
        )
        returned = installed + timedelta(days=rng.choice((2, 4, 5, 8)))
        self.add(
            returned,
            "update_record",
            POWER,
            "case",
            ticket,
            {"steps": {"installed": installed.isoformat(), "returned": returned.isoformat()}},
        )

    # --- railway: qualifications and the year's volume (§15) ------------------------------------

    def railway_year(self):
        y = self.year
        applications = (
            ("q-coal", "晋能煤业", {"annual_tonnes": 1800000, "annual_freight_yuan": 260000000}, True),
            ("q-steel", "三钢集团", {"annual_tonnes": 950000, "annual_freight_yuan": 120000000}, True),
            ("q-grain", "粮储物流", {"annual_tonnes": 600000, "annual_freight_yuan": 40000000}, False),
        )
        for n, (cid, name, volume, ok) in enumerate(applications):
            opened = date(y, 2 + 3 * n, 9)
            attributes = {
                "state_key_enterprise": True,
                "obeys_dispatch": True,
                "fmos_station": ok,
                "whole_train": True,
                "cargo_owner": True,
                "independent_payer": True,
                "charter_accepted": True,
                **volume,
            }
            self.add(opened, "register_customer", RAIL, {"id": cid, "name": name, "owner": "tl-sun"})
            self.add(
                opened,
                "record_case",
                RAIL,
                {
                    "id": cid,
                    "kind": "qualification",
                    "person": "tl-sun",
                    "opened": opened.isoformat(),
                    "customer": cid,
                    "attributes": attributes,
                },
            )
            verified = opened + timedelta(days=20)
            steps = {"bureau_verified": verified.isoformat()}
            self.add(verified, "update_record", RAIL, "case", cid, {"steps": dict(steps)})
            if ok:
                steps["ministry_approved"] = (verified + timedelta(days=30)).isoformat()
                steps["certificate_issued"] = (verified + timedelta(days=37)).isoformat()
                self.add(
                    verified + timedelta(days=37), "update_record", RAIL, "case", cid, {"steps": dict(steps)}
                )
        # the volume of next year: submitted in early December, one a day late; signed by mid and end
        for cid, submitted in (("q-coal", date(y, 12, 8)), ("q-steel", date(y, 12, 11))):
            vid = f"vol-{y + 1}-{cid}"
            self.add(
                submitted,
                "record_case",
                RAIL,
                {
                    "id": vid,
                    "kind": "annual_volume",
                    "person": "tl-sun",
                    "opened": submitted.isoformat(),
                    "customer": cid,
                    "attributes": {"year": y + 1},
                    "steps": {"submitted": submitted.isoformat()},
                },
            )
            signed = {
                "submitted": submitted.isoformat(),
                "bureau_signed": f"{y}-12-18",
                "ministry_signed": f"{y}-12-29",
            }
            self.add(date(y, 12, 29), "update_record", RAIL, "case", vid, {"steps": signed})

    # --- the assistants: attendance, cleaning and delivery, the areas' sales (§16) --------------

    def water_month(self, month: Month):
        rng, days = self.rng, self._workdays(month)
        for pid in ("sl-lin", "sl-zhou"):
            absences = rng.choice((0, 0, 0, 1, 2))
            late = rng.choice((0, 0, 1))
            self.add(
                month.last_day,
                "record_attendance",
                WATER,
                {
                    "person": pid,
                    "month": str(month),
                    "absences": absences,
                    "late_arrivals": late,
                    "working_days": len(days),
                },
            )
            cleaned = {"sl-lin": rng.randint(92, 118), "sl-zhou": rng.randint(80, 105)}[pid]
            delivered = {"sl-lin": rng.randint(950, 1150), "sl-zhou": rng.randint(900, 1120)}[pid]
            for kind, units in (("dispenser_cleaning", cleaned), ("water_delivery", delivered)):
                day = days[-1]
                self.add(
                    day,
                    "record_case",
                    WATER,
                    {
                        "id": f"{pid}-{kind}-{month}",
                        "kind": kind,
                        "person": pid,
                        "opened": day.isoformat(),
                        "attributes": {"units": units},
                    },
                )
        for seller, low, high in (("sl-chen", 150000, 230000), ("sl-wu", 100000, 170000)):
            day = rng.choice(days)
            amount = Decimal(rng.randrange(low // 1000, high // 1000)) * 1000
            self.add(
                day,
                "record_deal",
                WATER,
                {
                    "id": f"deal-{seller}-{month}",
                    "seller": seller,
                    "date": day.isoformat(),
                    "list_price": str(amount),
                    "deal_price": str(amount),
                    "customer": "机关团购",
                },
            )
