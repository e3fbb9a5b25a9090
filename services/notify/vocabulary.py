"""What a notice calls things (issue 25): people by name, tiers and roles by the line's plugin's
names in each language, amounts as the sheets show them. notify keeps the lines and people intake
sends (models.Line, models.Person); ``of(session, line)`` gives a template its ``Vocabulary``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kamkit.money import report
from services.common.storage.projection import plugin_in_force

from .models import Line, Person


@dataclass(frozen=True)
class Vocabulary:
    people: Mapping[str, str] = field(default_factory=dict)  # id -> name
    tiers: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # key -> (zh, en)
    roles: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def person(self, who: str | None, vacant: str) -> str:
        """``王芳 (am1)``; the id alone when no name is known; ``vacant`` for nobody."""
        if not who:
            return vacant
        name = self.people.get(who)
        return f"{name} ({who})" if name and name != who else who

    def tier(self, key: str | None, lang: str) -> str:
        names = self.tiers.get(key or "")
        return (names[0] if lang == "zh" else names[1]) if names else str(key or "-")

    def role(self, key: str | None, lang: str) -> str:
        names = self.roles.get(key or "")
        return (names[0] if lang == "zh" else names[1]) if names else str(key or "-")


def amount(value: Any) -> str:
    """Money as the sheets show it: half-up to 0.01, thousands separated (``30,000.00``)."""
    try:
        return f"{report(Decimal(str(value))):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def remember(session, change: Mapping[str, Any]) -> None:
    """Keep a line's plugin or a person's name, the newest version only."""
    doc, line, version = change["record"], change["business_line"], change["version"]
    if change["kind"] == "business_line":
        row = session.get(Line, line)
        if row is None or row.version < version:
            session.merge(
                Line(
                    business_line=line,
                    plugin=doc["plugin"],
                    parameters=doc.get("parameters") or {},
                    rules=doc.get("rules") or [],
                    version=version,
                )
            )
    else:
        row = session.get(Person, (line, doc["id"]))
        if row is None or row.version < version:
            session.merge(
                Person(
                    business_line=line,
                    id=doc["id"],
                    name=doc.get("name") or "",
                    branch=doc.get("branch"),
                    version=version,
                )
            )


def of(session, business_line: str, people=None) -> Vocabulary:
    """The line's vocabulary: every person's name (or only ``people``'s), its plugin's tiers and
    roles (none if the plugin is unknown here: the keys are shown)."""
    rows = session.query(Person.id, Person.name).filter_by(business_line=business_line)
    if people is not None:
        rows = rows.filter(Person.id.in_(sorted(p for p in people if p)))
    names = {pid: name for pid, name in rows if name}
    line = session.get(Line, business_line)
    tiers, roles = {}, {}
    if line is not None:
        try:
            plugin = plugin_in_force(line)
        except Exception:  # a plugin not installed in notify: keys are still readable
            plugin = None
        if plugin is not None:
            tiers = {t.key: (t.names.zh, t.names.en) for t in getattr(plugin, "tiers", ())}
            roles = {k: (n.zh, n.en) for k, n in (getattr(plugin, "roles", None) or {}).items()}
    return Vocabulary(names, tiers, roles)
