"""The Markdown documentation linted as code is: README.md and every .md file under docs/.

- A line is at most 110 characters, except in a table, a code block, or a line holding a URL
  or an image (they cannot be wrapped).
- Every relative link ``[text](path)`` names a file or directory that exists (relative to the
  document, its ``#anchor`` set aside).
- Every backticked repository path (one starting with kamkit/, wire/, services/, plugins/,
  kamcli/, reports/, demo/, bench/, docs/, examples/ or tests/ and ending in .py, .md, .yaml,
  .toml or /) exists, relative to the repository root. ``<name>`` and ``*`` in it match any one
  name, ``{a,b}`` each of its alternatives.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINE = 110
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

ROOTS = (
    "kamkit/",
    "wire/",
    "services/",
    "plugins/",
    "kamcli/",
    "reports/",
    "demo/",
    "bench/",
    "docs/",
    "examples/",
    "tests/",
)
ENDINGS = (".py", ".md", ".yaml", ".toml", "/")
FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
URL_OR_IMAGE = re.compile(r"[a-z][a-z0-9+.-]*://|!\[")
HTML_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose(path: Path):
    """(line number, line, in a code block) for each line of a Markdown document. A code block
    is fenced (``` or ~~~) or indented by four spaces after a blank line, a one-line HTML comment
    or another such line."""
    fenced, indented, previous_blank = False, False, True
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            yield number, line, True
            continue
        if fenced:
            yield number, line, True
            continue
        blank = not line.strip() or bool(HTML_COMMENT.match(line))  # a comment ends its block
        if not blank:
            indented = line.startswith(("    ", "\t")) and (previous_blank or indented)
        yield number, line, indented and not blank
        previous_blank = blank


def _expand(pattern: str) -> list[str]:
    """``{a,b}`` alternatives, each expanded (no nesting)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if not match:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [p for choice in match.group(1).split(",") for p in _expand(head + choice.strip() + tail)]


def repo_path_exists(text: str) -> bool:
    for pattern in _expand(re.sub(r"<[^<>]*>", "*", text)):
        pattern = pattern.rstrip("/")
        if "*" in pattern:
            if not any(ROOT.glob(pattern)):
                return False
        elif not (ROOT / pattern).exists():
            return False
    return True


def is_repo_path(text: str) -> bool:
    return text.startswith(ROOTS) and text.endswith(ENDINGS) and not re.search(r"\s", text)


@pytest.mark.parametrize("path", DOCS, ids=_name)
def test_lines_are_at_most_110_characters(path):
    long = [
        f"{_name(path)}:{number}: {len(line)} characters"
        for number, line, code in prose(path)
        if len(line) > MAX_LINE
        and not code
        and not line.lstrip().startswith("|")
        and not URL_OR_IMAGE.search(line)
    ]
    assert not long, "lines over 110 characters:\n" + "\n".join(long)


@pytest.mark.parametrize("path", DOCS, ids=_name)
def test_relative_links_exist(path):
    broken = []
    for number, line, code in prose(path):
        if code:
            continue
        for target in LINK.findall(line):
            if URL_OR_IMAGE.match(target) or target.startswith(("#", "mailto:")):
                continue
            target = target.split("#", 1)[0]
            if target and not (path.parent / target).exists():
                broken.append(f"{_name(path)}:{number}: ({target})")
    assert not broken, "links to nothing:\n" + "\n".join(broken)


@pytest.mark.parametrize("path", DOCS, ids=_name)
def test_backticked_paths_exist(path):
    missing = []
    for number, line, code in prose(path):
        if code:
            continue
        for _, span in CODE_SPAN.findall(line):
            span = span.strip()
            if is_repo_path(span) and not repo_path_exists(span):
                missing.append(f"{_name(path)}:{number}: `{span}`")
    assert not missing, "paths that do not exist:\n" + "\n".join(missing)


def test_the_checks_see_what_they_should():
    assert is_repo_path("services/common/storage/db.py")
    assert is_repo_path("docs/")
    assert not is_repo_path("services.common.storage.db")
    assert not is_repo_path("bench/close_month.py --sizes 100000")
    assert repo_path_exists("services/<name>/migrations/")
    assert repo_path_exists("services/common/{storage,access}/")
    assert not repo_path_exists("shared/facts.py")
    assert LINK.findall("see [the rules](docs/rules.md#clauses) and ![x](a.png)") == ["docs/rules.md#clauses"]
