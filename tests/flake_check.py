"""The flake check: the whole suite N times in a row while other processes load every core.

    python -m tests.flake_check                 # 10 runs, one busy process per core
    python -m tests.flake_check --runs 3 --load 4 -- -k flow

A suite that passes only on an idle machine fails here. Each run's time and every failing test
(with the first lines of its failure) are reported; the exit code is 1 if any run failed.
Arguments after ``--`` go to pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY_LOOP = "while True: pass"


@dataclass
class Run:
    number: int
    seconds: float
    exit_code: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (test id, first lines)


def failures_in(report: Path) -> list[tuple[str, str]]:
    """(test id, message) of each failed or erroring test case in a JUnit XML report."""
    if not report.is_file():
        return []
    found: list[tuple[str, str]] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for outcome in ("failure", "error"):
            element = case.find(outcome)
            if element is not None:
                name = f"{case.get('classname', '')}::{case.get('name', '')}"
                detail = (element.get("message") or element.text or "").strip()
                found.append((name, "\n".join(detail.splitlines()[:6])))
    return found


def run_suite(number: int, pytest_args: Sequence[str], folder: Path) -> Run:
    report = folder / f"run-{number}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        *pytest_args,
    ]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - started
    run = Run(number, seconds, completed.returncode, failures_in(report))
    if completed.returncode != 0 and not run.failures:  # collection error, crash, no tests
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        run.failures.append(("(the run itself)", tail))
    return run


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, pytest_args = args[:cut], args[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m tests.flake_check",
        description="Run the whole test suite several times in a row under CPU load.",
    )
    parser.add_argument("--runs", type=int, default=10, help="how many runs (default 10)")
    parser.add_argument(
        "--load",
        type=int,
        default=os.cpu_count() or 2,
        help="busy processes beside the tests (default: one per core)",
    )
    options = parser.parse_args(args)

    load = [
        subprocess.Popen([sys.executable, "-c", BUSY_LOOP], stdin=subprocess.DEVNULL)
        for _ in range(max(0, options.load))
    ]
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="flake-check-") as folder:
            for number in range(1, options.runs + 1):
                run = run_suite(number, pytest_args, Path(folder))
                runs.append(run)
                verdict = "passed" if run.exit_code == 0 else f"FAILED (exit {run.exit_code})"
                print(f"run {number}/{options.runs}: {verdict} in {run.seconds:.0f} s", flush=True)
                for name, detail in run.failures:
                    print(f"    {name}", flush=True)
                    for line in detail.splitlines():
                        print(f"        {line}", flush=True)
    finally:
        for process in load:
            process.kill()
        for process in load:
            process.wait()

    failed = [run for run in runs if run.exit_code != 0]
    times = sorted(run.seconds for run in runs)
    median = times[len(times) // 2] if times else 0.0
    print(
        f"{len(runs) - len(failed)} of {len(runs)} runs passed under a load of "
        f"{options.load} busy processes; median run {median:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
