"""What a large facts file costs the `kam` command line: `kam assess-month telecom FILE` on a
generated YAML file, against a floor that only parses the same file with the same YAML loader.
Prints wall time and peak RSS of each (min/median/max over repeats) and their ratios; no
assertion, no pass/fail.

    .venv/bin/python bench/cli_facts.py [--opportunities 200000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FLOOR = """
import sys, yaml
from kamcli.documents import _TextDatesLoader
with open(sys.argv[1], encoding="utf-8") as fh:
    yaml.load(fh.read(), Loader=_TextDatesLoader)
"""


def write_facts(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    people = 200
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("month: 2026-03\nbranches:\n")
        for b in range(10):
            fh.write(f"  - {{id: b{b}, urban: {str(b < 3).lower()}}}\n")
        fh.write("people:\n")
        for i in range(people):
            fh.write(f"  - {{id: am{i}, role: account_manager, branch: b{i % 10}, start_date: 2024-01-01}}\n")
        for b in range(10):
            fh.write(f"  - {{id: dir{b}, role: center_director, branch: b{b}}}\n")
        fh.write("opportunities:\n")
        for i in range(n):
            am = rng.randrange(people)
            day = rng.randint(1, 28)
            fh.write(
                f"  - {{id: o{i}, amount: {rng.choice((15000, 30000, 80000, 250000))}, "
                f"discovered: 2026-03-{day:02d}, entered: 2026-03-{min(28, day + rng.randint(0, 9)):02d}, "
                f"branch: b{am % 10}, account_manager: am{am}, lines: {rng.randint(0, 6)}, "
                f"customer: customer-{rng.randrange(10**6)}, origin: {rng.choice(('reported', 'audit'))}}}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        facts = Path(tmp) / "facts.yaml"
        write_facts(facts, args.opportunities)
        size = facts.stat().st_size / 2**20
        kam = [sys.executable, "-m", "kamcli.main", "assess-month", "telecom", str(facts), "--json"]
        floor = [sys.executable, "-c", FLOOR, str(facts)]
        runs = {"floor (parse only)": [], "kam assess-month": []}
        for _ in range(args.repeats):  # each in a fresh child: /usr/bin/time gives its own peak RSS
            for name, command in (("floor (parse only)", floor), ("kam assess-month", kam)):
                out = subprocess.run(
                    ["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True
                )
                if out.returncode != 0:
                    sys.exit(out.stderr)
                seconds, kib = out.stderr.strip().splitlines()[-1].split()
                runs[name].append((float(seconds), int(kib) / 1024))
    print(f"facts file: {args.opportunities:,} opportunities, {size:.1f} MiB")
    print(f"{'subject':<22} {'seconds min/median/max':>26} {'peak RSS MiB min/median/max':>30}")
    for name, values in runs.items():
        secs, rss = [v[0] for v in values], [v[1] for v in values]
        print(
            f"{name:<22} {min(secs):8.2f} {statistics.median(secs):8.2f} {max(secs):8.2f} "
            f"{min(rss):9.0f} {statistics.median(rss):9.0f} {max(rss):9.0f}"
        )
    ratio = statistics.median(v[0] for v in runs["kam assess-month"]) / statistics.median(
        v[0] for v in runs["floor (parse only)"]
    )
    print(f"ratio kam / floor (median seconds): {ratio:.2f}")


if __name__ == "__main__":
    main()
