"""The CIB customer-manager ladder — 002/CIB 第七条–第十条 (docs/rules.md §13.1–§13.3).

Four ranks in six grades, lowest first: 助理客户经理; 客户经理 二级, 一级; 高级客户经理 二级, 一级;
资深客户经理. Trainees (见习客户经理) are outside the ladder: they hold no grade.

Which of 二级 and 一级 is higher is not printed [reading, fixed here]: 一级 is the higher level, as the
seed lists "(二级、一级)" low to high and Chinese banks number levels so. The order changes no figure
(no condition names the grade below), only the order of the keys.

This is not the banking plugin's grading: `banking` keeps 002/LOAN §三's four grades (assistant,
junior, intermediate, senior), whose conditions and pay are printed; the two banks' thresholds are
not mixed (002/LOAN's 助理 is under 6 months of credit work, 002/CIB's needs a year and an exam).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kamkit.ladders import CERTIFICATE, YEARS_OF_WORK, Condition, Ladder, Rung
from kamkit.params import Param
from kamkit.plugin import Names

# role keys, as the banking plugin spells them (docs/rules.md roles table)
ACCOUNT_MANAGER, DEPUTY, BRANCH, CITY = "account_manager", "deputy_manager", "branch_manager", "city_admin"

# the banking plugin's names for them; 市分行 approves through its CM leading group (第五条)
ROLE_NAMES = {
    ACCOUNT_MANAGER: Names("客户经理", "customer manager"),
    DEPUTY: Names("高级客户经理", "senior customer manager"),
    BRANCH: Names("支行行长", "sub-branch head"),
    CITY: Names("市分行客户经理领导小组", "city-branch CM leading group"),
}

ART5, ART7, ART8, ART9, ART10 = (f"002/CIB §第{n}条" for n in ("五", "七", "八", "九", "十"))

# grade keys, lowest first
ASSISTANT, MANAGER_2, MANAGER_1 = "assistant", "manager_2", "manager_1"
SENIOR_2, SENIOR_1, PRINCIPAL = "senior_2", "senior_1", "principal"

# 第八条: every customer manager's basic conditions, which no record shows: the appointing level
# vouches for them (kamkit.ladders: attested)
BASIC = ("第八条 思想品德、职业道德、沟通与表达能力 / article 8: character, ethics, expression",)
# 第七条: 资深 and 高级 follow head-office and provincial rules, which the seed does not hold
HEAD_OFFICE = ("总行、省行规定的条件 / the head-office and provincial conditions (not in the seed)",)


def years(grade: str, clause: str) -> Condition:
    """Years of banking work from work_since, held in the grade's own parameter."""
    return Condition(
        key=f"{grade}_years",
        zh="银行工作年限",
        en="years of banking work",
        kind=YEARS_OF_WORK,
        param=f"{grade}_years_of_work",
        clause=clause,
    )


SKILLS = Condition(
    key="skills_test",
    zh="员工岗位技能鉴定考试",
    en="post-skill appraisal examination",
    kind=CERTIFICATE,
    param="assistant_certificate",
    clause=ART9,
)


# 第七条: 客户经理 and 助理 are recruited by the sub-branch (支行, its head: branch_manager) and appointed
# once the city branch approves (市分行审批: its CM board, city_admin); 资深 and 高级 are recruited and
# appointed by the city branch itself (approved_by None: the proposer appoints).
def rung(key: str, names: tuple[str, str], rank: str, conditions: tuple[Condition, ...], city: bool) -> Rung:
    """A grade of the ladder: the city branch's own (资深, 高级) or the sub-branch's (客户经理, 助理)."""
    return Rung(
        key=key,
        zh=names[0],
        en=names[1],
        rank=rank,
        conditions=conditions,
        proposed_by=CITY if city else BRANCH,
        approved_by=None if city else CITY,
        clause=ART7,
        attested=BASIC + (HEAD_OFFICE if city else ()),
    )


LADDER = Ladder(
    (
        rung(
            ASSISTANT,
            ("助理客户经理", "assistant customer manager"),
            "assistant",
            (years(ASSISTANT, ART9), SKILLS),
            city=False,
        ),
        rung(
            MANAGER_2,
            ("客户经理（二级）", "customer manager, level 2"),
            "manager",
            (years(MANAGER_2, ART10),),
            city=False,
        ),
        rung(
            MANAGER_1,
            ("客户经理（一级）", "customer manager, level 1"),
            "manager",
            (years(MANAGER_1, ART10),),
            city=False,
        ),
        rung(
            SENIOR_2,
            ("高级客户经理（二级）", "senior customer manager, level 2"),
            "senior",
            (years(SENIOR_2, ART7),),
            city=True,
        ),
        rung(
            SENIOR_1,
            ("高级客户经理（一级）", "senior customer manager, level 1"),
            "senior",
            (years(SENIOR_1, ART7),),
            city=True,
        ),
        rung(
            PRINCIPAL,
            ("资深客户经理", "principal customer manager"),
            "principal",
            (years(PRINCIPAL, ART7),),
            city=True,
        ),
    )
)
GRADES = LADDER.keys


def _head_office_years(grade: str, zh: str) -> Param:
    return Param(
        f"{grade}_years_of_work",
        0,
        "int",
        ART7,
        f"{zh}: years of banking work needed on the day proposed. The seed has no condition for this "
        "grade (按总、省行规定执行: head-office and provincial rules it does not hold); 0 = no condition "
        "on record. A bank sets its own figure here.",
        "default",
        minimum=0,
    )


PARAMS = (
    Param(
        "assistant_years_of_work",
        1,
        "int",
        ART9,
        "助理客户经理: at least this many whole years of banking work (壹年之上 = 一年以上, read as at least "
        "one year) on the day the appointment was proposed, counted from the person's work_since.",
        minimum=0,
    ),
    Param(
        "assistant_certificate",
        "skills_test",
        "text",
        ART9,
        "助理客户经理: the certificate key (in the person's certificates) standing for passing the "
        "post-skill appraisal examination (通过员工岗位技能鉴定考试); the key's spelling is the suite's.",
        "default",
    ),
    Param(
        "manager_2_years_of_work",
        2,
        "int",
        ART10,
        "客户经理（二级）: at least this many whole years of banking work (二年之上) on the day proposed.",
        minimum=0,
    ),
    Param(
        "manager_1_years_of_work",
        2,
        "int",
        ART10,
        "客户经理（一级）: the same two years. 第十条 states the conditions of the rank 客户经理 and "
        "sets none apart for 一级; the other reading (一级 needs more) has no figure in the seed.",
        "reading",
        minimum=0,
    ),
    _head_office_years(SENIOR_2, "高级客户经理（二级）"),
    _head_office_years(SENIOR_1, "高级客户经理（一级）"),
    _head_office_years(PRINCIPAL, "资深客户经理"),
)


def in_force(params: Mapping[str, Any]) -> Ladder:
    """The ladder with the conditions these parameters set: a years-of-work condition of 0 years is
    no condition (not one that a person without work_since on file would fail)."""
    return Ladder(
        tuple(
            replace(
                rung,
                conditions=tuple(
                    c for c in rung.conditions if not (c.kind == YEARS_OF_WORK and params[c.param] == 0)
                ),
            )
            for rung in LADDER.rungs
        )
    )
