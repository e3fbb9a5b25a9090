"""The clauses of docs/rules.md §16 the assistant's lines and parameters cite. Seed clause ids are
002/ZL's own numbering: 一 the post, 二 the pay scheme and its 备注 (note), 二1 and 二2 the two rows
of the assessment table, ① and ② the two standards of row 2."""

from __future__ import annotations

from kamkit.plugin import ESCALATION_CLAUSES, Clause
from kamkit.targets import TARGET_CLAUSES

POST = "002/ZL 一"
PAY = "002/ZL 二"
NOTE = "002/ZL 二 备注"
SALES = "002/ZL 二1"
SERVICE = "002/ZL 二2"
CLEANING = "002/ZL 二2①"
DELIVERY = "002/ZL 二2②"
NO_TIERS = "rules §16.1"
RECORDS = "rules §16.5"

CLAUSES = {
    **ESCALATION_CLAUSES,
    **TARGET_CLAUSES,  # the month's target of the sales item (docs/rules.md §7)
    POST: Clause(
        "16.1",
        "The assistant reports to and is led by the key-account manager: cleans customers' and "
        "dealers' dispensers, helps stores deliver water in emergencies, covers absent staff.",
    ),
    NO_TIERS: Clause(
        "16.1",
        "The scheme sets no opportunity tiers: one tier, owned by the key-account manager, no cadence.",
    ),
    PAY: Clause(
        "16.2",
        "Monthly pay: base 900 + lunch 5 a day + full attendance 30 + seniority x a month + pension "
        "subsidy 100 + performance bonus 2,300.",
    ),
    NOTE: Clause("16.2", "Seniority pay and the pension subsidy only after at least one year of service."),
    SALES: Clause(
        "16.3",
        "Sales item, weight 20%: M = the region's actual sales / the month's target; below 80% no "
        "bonus; 80%-100% assessed at the actual rate.",
    ),
    SERVICE: Clause(
        "16.4",
        "Service item, weight 80%: dispensers cleaned and barrels delivered against their monthly "
        "standards; a shortfall not fully offset by the other's surplus: no bonus for the item.",
    ),
    CLEANING: Clause(
        "16.4",
        "100 dispensers cleaned a month; each above 100 pays 4; below 100 may be offset by water delivered.",
    ),
    DELIVERY: Clause(
        "16.4",
        "1,000 barrels delivered a month (upgraded and ordinary alike); each above 1,000 pays 2; below "
        "1,000 may be offset by dispensers cleaned.",
    ),
    RECORDS: Clause(
        "16.5",
        "What the pay is counted from (attendance, start date, deals, targets, cases); a part whose "
        "records are missing or invalid is not applicable: stated, not paid as 0.",
    ),
}
