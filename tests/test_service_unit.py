"""examples/residentbot.service: what the README's deployment section promises of it, and
``systemd-analyze verify`` where the machine has systemd."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent.parent / "examples" / "residentbot.service"
EXEC = "/opt/residentbot/.venv/bin/residentbot"


def _sections(text: str) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = found.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return found


def test_the_unit_has_what_the_readme_promises() -> None:
    unit = _sections(UNIT.read_text("utf-8"))
    service = unit["Service"]
    assert service["ExecStart"] == [f"{EXEC} run"]
    assert service["Restart"] == ["on-failure"]
    assert service["RestartPreventExitStatus"] == ["2"]  # wrong settings do not mend themselves
    assert service["User"] == ["residentbot"] and service["Group"] == ["residentbot"]
    assert service["WorkingDirectory"] == ["/var/lib/residentbot"]
    assert service["StateDirectory"] == ["residentbot"]  # the working directory, the user's
    assert service["EnvironmentFile"] == ["/etc/residentbot/residentbot.env"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    readme = (UNIT.parent.parent / "README.md").read_text("utf-8")
    assert "examples/residentbot.service" in readme and "journalctl -u residentbot" in readme


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd here")
def test_systemd_analyze_verify_accepts_it(tmp_path: Path) -> None:
    # verify wants ExecStart to exist: point it at this checkout's residentbot
    here = Path(sys.executable).parent / "residentbot"
    if not here.exists():
        pytest.skip("residentbot is not installed in this environment")
    copy = tmp_path / "residentbot.service"
    copy.write_text(UNIT.read_text("utf-8").replace(EXEC, str(here)), "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    # it exits 0 even for unknown keys and bad values, which it reports (and ignores)
    complaints = [line for line in done.stderr.splitlines() if "residentbot.service" in line]
    assert done.returncode == 0 and not complaints, done.stderr
