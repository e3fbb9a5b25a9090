"""Corrections of a closed period posted forward (docs/rules.md §9.5).

A closed version is paid and stays as it is. Adjusting it recomputes the period on the records as
they are now (under the rules in force for it, from the state it started from) and posts, per
person and line, the difference from what was stated — the version's lines and any adjustment of
the period posted before — as adjustment lines of the next period not yet closed. Each cites the
period, the version, the line and the reason. The state the period hands on (debts, carry-over)
follows: the next period starts from the recomputed state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Text

from kamkit.explain import INDICATOR_KINDS, INFO, Line
from services.common.storage.db import utcnow

CLAUSE = "rules §9.5"
KIND = "adjustment"
# the input that tells one line of a kind from another (a deal, an opportunity, a month ...)
IDENTITY = (
    "deal",
    "opportunity",
    "loan",
    "collection",
    "credit",
    "contract",
    "complaint",
    "customer",
    "indicator",
    "item",
    "month",
    "date",
)


def adjustment_table(Base):
    class Adjustment(Base):
        """One correction of a closed version, posted into ``target`` (its lines, as stored)."""

        __tablename__ = "adjustments"
        __table_args__ = (Index("ix_adjustments_target", "business_line", "target"),)
        id = Column(Integer, primary_key=True, autoincrement=True)
        business_line = Column(String(100), nullable=False)
        period = Column(String(16), nullable=False)  # the period corrected
        version = Column(Integer, nullable=False)  # its closed version
        target = Column(String(16), nullable=False)  # the period the difference is posted in
        reason = Column(Text, nullable=False)
        by = Column(String(100), nullable=True)
        at = Column(DateTime, nullable=False, default=utcnow)
        facts_seq = Column(Integer, nullable=True)  # the fact clock's tick it recomputed at
        lines = Column(JSON, nullable=False)  # Line dicts, exact figures
        carried_out = Column(JSON, nullable=True)  # the corrected state the period hands on
        inquiry = Column(Integer, nullable=True)  # the inquiry it answers, if any

    return Adjustment


@dataclass(frozen=True)
class Key:
    """What one stated line is: whose, in what unit, of what kind and clause, about what."""

    person: str
    role: str
    unit: str
    kind: str
    clause: str
    about: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def key_of(line: Mapping[str, Any]) -> Key | None:
    """A line's key; None for what adds to nothing (info, indicators)."""
    if line["unit"] == INFO or line["kind"] in INDICATOR_KINDS or line.get("figure") is None:
        return None
    inputs = line.get("inputs") or {}
    if line["kind"] == KIND:  # an earlier adjustment counts where its line did
        return Key(**inputs["line_key"])
    about = next((f"{name} {inputs[name]}" for name in IDENTITY if inputs.get(name) is not None), "")
    return Key(line["person"], line["role"], line["unit"], line["kind"], line["clause"], about)


def figure_of(line: Mapping[str, Any]) -> Decimal:
    return Decimal(str(line.get("exact") or line["figure"]))


def sums(lines: Iterable[Mapping[str, Any]]) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = {}
    for line in lines:
        key = key_of(line)
        if key is not None:
            out[key] = out.get(key, Decimal(0)) + figure_of(line)
    return out


@dataclass(frozen=True)
class Correction:
    period: str
    version: int
    target: str
    reason: str


@dataclass(frozen=True)
class Step:
    """One closed version corrected: its adjustment lines, the state it now hands on, and that
    state when it differs from what it handed on (None: the same)."""

    correction: Correction
    lines: list[Line]
    carried_now: Any
    carried_changed: Any


def difference_lines(stated: Mapping[Key, Decimal], now: Mapping[Key, Decimal], c: Correction) -> list[Line]:
    """One adjustment line for each stated line whose figure the recomputation changes (a line
    gone: its figure taken back; a new one: added), in key order."""
    out = []
    for key in sorted(set(stated) | set(now), key=lambda k: tuple(k.__dict__.values())):
        was, is_ = stated.get(key, Decimal(0)), now.get(key, Decimal(0))
        if was == is_:
            continue
        what = f"{key.kind} [{key.clause}]" + (f" {key.about}" if key.about else "")
        # PeopleSoft's rule: a correction of a year already closed is paid in the new year
        year_zh = f"（{c.period[:4]}年已结算，计入{c.target[:4]}年）" if c.target[:4] != c.period[:4] else ""
        year_en = f" ({c.period[:4]} is settled: paid in {c.target[:4]})" if year_zh else ""
        out.append(
            Line(
                key.person,
                key.role,
                is_ - was,
                key.unit,
                KIND,
                CLAUSE,
                f"{c.period} 第{c.version}版 调整（计入 {c.target}）{year_zh}：{what} "
                f"原 {was}，重算 {is_}；原因：{c.reason}",
                f"adjustment of {c.period} v{c.version} (posted in {c.target}){year_en}: {what} stated "
                f"{was}, recomputed {is_}; reason: {c.reason}",
                {
                    "period": c.period,
                    "version": c.version,
                    "line_key": key.to_dict(),
                    "stated": was,
                    "recomputed": is_,
                    "reason": c.reason,
                },
            )
        )
    return out


def line_from(stored: Mapping[str, Any]) -> Line:
    """An adjustment line back from its stored dict (exact figures kept)."""
    inputs = dict(stored["inputs"])
    for name in ("stated", "recomputed"):
        inputs[name] = Decimal(str(inputs[name]))
    return Line(
        stored["person"],
        stored["role"],
        figure_of(stored),
        stored["unit"],
        stored["kind"],
        stored["clause"],
        stored["reason_zh"],
        stored["reason_en"],
        inputs,
    )


def stored_line(line: Line) -> dict[str, Any]:
    """An adjustment line as the adjustments table keeps it: exact figures, plain inputs."""
    out = line.to_dict()
    out["figure"] = str(line.figure)
    out.pop("exact", None)
    out["inputs"]["stated"], out["inputs"]["recomputed"] = (
        str(line.inputs["stated"]),
        str(line.inputs["recomputed"]),
    )
    return out
