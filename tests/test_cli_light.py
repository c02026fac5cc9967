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


def test_a_status_poll_loads_neither_argparse_nor_multiprocessing_nor_logging(tmp_path):
    """What a status bar pays for every poll, against a real daemon (issue 13: 4.9x `-c pass`)."""
    from daemon import ALL_DAY, Daemon, private_env
    from desktop import wait_until

    env = private_env(tmp_path)
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    probe = PROBE.replace("m.split(\".\")[0] in {heavy!r}", "m in {heavy!r}")
    unwanted = ("argparse", "multiprocessing", "logging", "platformdirs", "pathlib", "dataclasses", "pydantic")
    try:
        wait_until(lambda: (tmp_path / "runtime" / "postured" / "control.sock").exists()
                   or daemon.proc.poll() is not None, "the control socket", 30)
        for argv in (["status"], ["status", "--json"], ["--config", "x.toml", "status"]):
            done = subprocess.run([sys.executable, "-c", probe.format(argv=argv, heavy=unwanted)],
                                  capture_output=True, text=True, env=env)
            assert done.stdout.startswith(("Next break", "{")), done.stderr
            loaded = json.loads(done.stderr.strip().splitlines()[-1])
            assert loaded == [], f"postured {' '.join(argv)} imported {loaded}"
    finally:
        daemon.stop()


@pytest.mark.parametrize("argv, plain", [
    (["status"], ("status", None, False)),
    (["status", "--json"], ("status", None, True)),
    (["--config", "c.toml", "status", "--json"], ("status", None, True)),
    (["status", "--config", "c.toml"], ("status", None, False)),
    (["--config=c.toml", "snooze", "5m"], ("snooze", "5m", False)),
    (["snooze"], ("snooze", None, False)),
    (["pause", "tomorrow"], ("pause", "tomorrow", False)),
    (["break-now"], ("break-now", None, False)),
    # Anything else goes to argparse, which explains or helps.
    (["done", "now"], None), (["--json", "status"], None), (["status", "-h"], None), (["snooze", "-5m"], None),
    (["stat"], None), (["skip", "--json"], None), (["--config"], None), (["status", "--js"], None), ([], None),
    (["next"], None), (["--version"], None),
])
def test_the_hand_parser_reads_a_control_verb_as_argparse_does(argv, plain):
    from postured import cli_control
    from postured.cli import build_parser

    assert cli_control.parse(argv) == plain
    if plain is not None:
        args = build_parser().parse_args(argv)
        assert (args.verb, getattr(args, "argument", None), getattr(args, "json", False)) == plain
