"""Where a report's names and rules come from when it is made from the running suite: intake's
records of the line (people, branches, the line's plugin and parameters), read page by page
through whatever calls intake (the demo's RPC proxy, the gateway's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kamkit.loader import load_plugin

from .view import Directory

ListRecords = Callable[..., Mapping[str, Any]]  # intake.list_records(business_line, kind, query)


def records(
    list_records: ListRecords, business_line: str, kind: str, page_size: int = 1000
) -> Iterator[dict]:
    page = 1
    while True:
        answer = list_records(business_line, kind, {"page": page, "page_size": page_size})
        for item in answer["items"]:
            yield item["record"]
        if page * page_size >= answer["total"]:
            return
        page += 1


def line_sources(list_records: ListRecords, business_line: str) -> tuple[Directory, dict[str, Any] | None]:
    """(names of the line's people and branches, its plugin's description with the line's
    parameters), as intake holds them now."""
    line = next(records(list_records, business_line, "business_line"), None)
    plugin = None
    if line is not None:
        try:
            plugin = load_plugin(line["plugin"], line.get("parameters")).describe()
        except Exception:  # a plugin not installed here: the report shows keys instead of names
            plugin = None
    people = list(records(list_records, business_line, "person"))
    branches = list(records(list_records, business_line, "branch"))
    return Directory.of(people, branches, plugin), plugin
