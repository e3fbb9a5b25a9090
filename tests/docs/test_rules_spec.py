"""docs/rules.md is the suite's own rule specification: every clause and every chosen parameter of the
built-in plugins is in it, and nothing in the repository cites a document outside the repository."""

import re
import subprocess
from pathlib import Path

import pytest

from kamkit.loader import load_plugin

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "rules.md"
from plugins import BUILT_IN  # noqa: E402

# Clause ids citing the outside reading aid are renamed to cite docs/rules.md ("rules §1.3"). The old
# prefix is assembled here so that this file does not itself match the scan of
# test_no_file_cites_a_document_outside_the_repository.
OLD_PREFIX, NEW_PREFIX = "RULES" + " §", "rules §"
HEADING = re.compile(r"^(#{1,6})\s+§(\d+(?:\.\d+)*)(?=[\s—:]|$)")


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def sections(text: str) -> dict[str, str]:
    """Section number -> its text: from its `§<n>` heading to the next heading of the same or a higher
    level (so a section holds its subsections)."""
    lines = text.splitlines()
    heads = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines) if (m := HEADING.match(line))]
    out = {}
    for k, (start, level, number) in enumerate(heads):
        end = next((i for i, lvl, _ in heads[k + 1 :] if lvl <= level), len(lines))
        out[number] = "\n".join(lines[start:end])
    return out


def section_numbers(rules: str) -> list[str]:
    """A Clause.rules value ("1.4", "1.1, 1.2", "§4", "rules §2.3") as section numbers."""
    return re.findall(r"\d+(?:\.\d+)*", rules)


def declared_clauses():
    """(plugin key, clause id as docs/rules.md spells it, Clause) for every clause of every built-in
    plugin."""
    for key in BUILT_IN:
        for clause_id, clause in load_plugin(key).clauses.items():
            yield key, clause_id.replace(OLD_PREFIX, NEW_PREFIX), clause


def items(text: str):
    """The document cut into items: each table row, each list item with its continuation lines, each
    heading and each paragraph."""
    block: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        new = not s or s.startswith(("|", "#", "- ", "* ")) or re.match(r"\d+\.\s", s)
        if new and block:
            yield "\n".join(block)
            block = []
        if s.startswith("|"):
            yield line
        elif s:
            block.append(line)
    if block:
        yield "\n".join(block)


def test_every_declared_clause_names_a_section_of_the_spec():
    """A plugin's `Clause.rules` points a reader at sections of docs/rules.md: each must exist as a
    `§<n>` heading, or the pointer on every statement line leads nowhere."""
    present = set(sections(spec_text()))
    assert present >= {"1", "2", "3", "4", "5"}, sorted(present)
    missing = sorted(
        {
            f"{key}: {cid} -> §{n}"
            for key, cid, clause in declared_clauses()
            for n in section_numbers(clause.rules)
            if n not in present
        }
    )
    assert all(section_numbers(c.rules) for _, _, c in declared_clauses())
    assert not missing, "clauses naming a section docs/rules.md does not have:\n" + "\n".join(missing)


def test_every_declared_clause_id_is_in_the_spec():
    """Every clause id a statement can print (a key of a plugin's `clauses`) appears verbatim in
    docs/rules.md, so a reader can look up the id found on a sheet."""
    text = spec_text()
    missing = sorted({f"{key}: {cid}" for key, cid, _ in declared_clauses() if cid not in text})
    assert not missing, "clause ids absent from docs/rules.md:\n" + "\n".join(missing)


def test_every_declared_clause_id_is_listed_in_the_section_it_names():
    """The clause id is listed in the very section (or a subsection of it) that its `Clause.rules`
    names, so the text beside the id is the rule the id stands for."""
    parts = sections(spec_text())
    misplaced = sorted(
        {
            f"{key}: {cid} not in §{n}"
            for key, cid, clause in declared_clauses()
            for n in section_numbers(clause.rules)
            if n in parts and cid not in parts[n]
        }
    )
    assert not misplaced, "\n".join(misplaced)


@pytest.mark.parametrize("key", BUILT_IN)
def test_every_chosen_parameter_is_named_and_marked(key):
    """Every parameter whose value the seeds do not print (basis `default`) or which holds an
    interpretation of unclear seed text (basis `reading`) is named in backticks in docs/rules.md, and
    the item naming it (table row, list item or paragraph) carries the marker [default] / [reading]
    with the reason: no figure of the rules is chosen silently."""
    found = list(items(spec_text()))
    problems = []
    for p in load_plugin(key).parameters:
        if p.basis not in ("default", "reading"):
            continue
        named = [item for item in found if f"`{p.name}`" in item]
        if not named:
            problems.append(f"{p.name} ({p.basis}): not named in docs/rules.md")
        elif not any(f"[{p.basis}]" in item for item in named):
            problems.append(f"{p.name} ({p.basis}): named, but never beside the marker [{p.basis}]")
    assert not problems, f"plugin {key}:\n" + "\n".join(problems)


def repository_files() -> list[Path]:
    """Tracked files and new files not ignored (a file about to be committed is checked too)."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    names = sorted({n for n in out.decode("utf-8", "surrogateescape").split("\0") if n})
    return [ROOT / n for n in names if (ROOT / n).is_file()]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# What citing the outside reading aid or the seeds' outside folder looks like; assembled from parts so
# that this file does not match itself.
OUTSIDE = ("RULES" + ".md", OLD_PREFIX, "../" + "shared/", "shared/" + "seeds", "shared/" + "RULES")


def test_no_file_cites_a_document_outside_the_repository():
    """The project's rules live in docs/rules.md. No file of the repository (code, tests, docs,
    configuration) may cite the outside reading aid or the folder of seeds beside the repository:
    such a citation points a reader at a text the repository does not hold and that no test checks.
    Lists every offending file:line."""
    offending = []
    for path in repository_files():
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            hits = [pattern for pattern in OUTSIDE if pattern in line]
            if hits:
                offending.append(
                    f"{path.relative_to(ROOT)}:{number}: {', '.join(hits)}: {line.strip()[:100]}"
                )
    assert not offending, f"{len(offending)} citations of documents outside the repository:\n" + "\n".join(
        offending
    )
