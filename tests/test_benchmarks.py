"""The benchmark scripts run and print their tables (a short window: no timing is asserted)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from desktop import missing_programs

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def test_cli_latency_prints_its_table():
    done = subprocess.run([sys.executable, str(BENCH / "cli_latency.py"), "--rounds", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("command") and any(l.startswith("postured status") for l in lines)
    assert any(l.startswith("postured next --count 1000") for l in lines)


@pytest.mark.skipif(bool(missing_programs()) and not os.environ.get("CI"), reason="needs the test desktop")
def test_footprint_prints_its_table():
    done = subprocess.run([sys.executable, str(BENCH / "footprint.py"), "--settle", "0.5", "--idle", "1",
                           "--rounds", "1"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    table = [l for l in done.stdout.splitlines() if l.startswith("| ")]
    names = [row.split("|")[1].strip() for row in table[1:]]
    assert "python3 sleeping (floor)" in names and "postured --no-tray" in names
    assert any(name.startswith("postured (") for name in names)
    tray_row = next(row for row in table if row.startswith("| postured ("))
    assert tray_row.rstrip(" |").endswith(" s")  # the icon was seen in the tray
