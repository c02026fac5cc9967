"""Verbs other than `run` stay light: no GUI, notification or scheduler library."""

import json
import subprocess
import sys

import pytest

HEAVY = ("pystray", "plyer", "apscheduler", "gi", "PIL", "dbus")
PROBE = """
import sys, runpy
sys.argv = ["postured", *{argv!r}]
try:
    from postured.cli import main
    main(sys.argv[1:])
finally:
    import json
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [
    ["--version"], ["config", "path"], ["config", "check"], ["exercises"], ["next", "--count", "3"],
    ["history"], ["program", "show"],
])
def test_verb_imports_no_heavy_library(argv, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "TZ": "Europe/Berlin"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
                          capture_output=True, text=True, env=env)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"postured {' '.join(argv)} imported {loaded}"


@pytest.mark.parametrize("argv", [["status"], ["status", "--json"], ["snooze", "5m"], ["done"], ["pause", "tomorrow"],
                                  ["resume"], ["break-now"], ["reload"], ["quit"], ["skip"]])
def test_control_verbs_do_not_even_load_pydantic(argv, tmp_path):
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    heavy = (*HEAVY, "pydantic", "pydantic_core")
    done = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, heavy=heavy)],
                          capture_output=True, text=True, env=env)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"postured {' '.join(argv)} imported {loaded}"
    assert "not running" in done.stderr
