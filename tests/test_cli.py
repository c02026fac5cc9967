"""The CLI as a person runs it: `postured next`, `exercises`, `config`, exit codes."""

import json
import os
import subprocess
import sys

import pytest


def run(tmp_path, *args, config: str | None = None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TZ": "UTC",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    argv = [sys.executable, "-m", "postured"]
    if config is not None:
        path = tmp_path / "config.toml"
        path.write_text(config)
        argv += ["--config", str(path)]
    return subprocess.run([*argv, *args], env=env, capture_output=True, text=True, timeout=60)


def test_next_across_the_spring_forward_weekend_in_berlin(tmp_path):
    done = run(tmp_path, "next", "--count", "20", "--from", "2026-03-27T08:00", "--json",
               config='[schedule]\ntimezone = "Europe/Berlin"\n')
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    times = [row["at"] for row in rows]
    assert len(times) == 20
    assert times[0] == "2026-03-27T09:30:00+01:00" and times[12] == "2026-03-27T17:00:00+01:00"
    assert times[13] == "2026-03-30T09:30:00+02:00" and times[-1] == "2026-03-30T14:00:00+02:00"
    for row in rows:
        hhmm = row["at"][11:16]
        assert "09:00" < hhmm < "12:00" or "13:00" < hhmm < "17:30"
        assert row["at"][:10] not in ("2026-03-28", "2026-03-29")
    same_day = [(a, b) for a, b in zip(times, times[1:]) if a[:10] == b[:10] and a[11:13] < "12" <= b[11:13]]
    assert same_day  # the lunch break is skipped, not filled
    ids = [row["exercise"]["id"] for row in rows]
    assert all(a != b for a, b in zip(ids, ids[1:]))


def test_suggestions_never_need_the_floor_or_equipment_by_default(tmp_path):
    listed = json.loads(run(tmp_path, "exercises", "--json").stdout)
    allowed = {e["id"] for e in listed if set(e["positions"]) & {"seated", "standing"} and not e["equipment"]}
    suggested = {row["exercise"]["id"] for row in json.loads(run(tmp_path, "next", "--count", "200", "--json").stdout)}
    assert suggested <= allowed and len(suggested) == len(allowed)
    assert all(e["sources"] for e in listed)


def test_next_without_a_config_uses_the_defaults(tmp_path):
    done = run(tmp_path, "next", "--count", "3", "--from", "2026-03-23T08:00")
    assert done.returncode == 0 and done.stdout.splitlines()[0].startswith("Mon 2026-03-23 09:30 +0000")


BROKEN = {
    "syntax": "[schedule\n",
    "type": "[schedule]\ndays = 'mon'\n",
    "unknown key": "[reminders]\nsnoze = ['5m']\n",
    "duration": "[reminders]\nsnooze = ['5 min']\n",
    "window": "[schedule]\nhours = ['9:00-12:00']\n",
    "nothing left": "[exercises]\npositions = ['kneeling']\nexclude = ['midback-stretch']\n",
    "unknown exclude": "[exercises]\nexclude = ['chin-tuk']\n",
}


@pytest.mark.parametrize("name", BROKEN)
@pytest.mark.parametrize("verb", [["config", "check"], ["next"], ["run", "--no-tray"]])
def test_a_broken_config_is_one_located_message_and_exit_2(tmp_path, name, verb):
    done = run(tmp_path, *verb, config=BROKEN[name])
    assert done.returncode == 2
    assert done.stderr.startswith(f"postured: {tmp_path / 'config.toml'}: ")
    assert "Traceback" not in done.stderr and done.stdout == ""
    if name == "unknown exclude":
        assert 'did you mean "chin-tuck"' in done.stderr
    if name == "nothing left":
        assert "leave no exercise" in done.stderr


def test_config_init_path_and_check(tmp_path):
    path = run(tmp_path, "config", "path").stdout.strip()
    assert path == str(tmp_path / "cfg" / "postured" / "config.toml")
    assert run(tmp_path, "config", "init").returncode == 0
    assert run(tmp_path, "config", "init").returncode == 2  # no silent overwrite
    assert run(tmp_path, "config", "check").stdout.startswith("ok: ")


def test_history_is_empty_before_the_first_run(tmp_path):
    done = run(tmp_path, "history", "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == []


def test_bad_usage_exits_2(tmp_path):
    assert run(tmp_path, "next", "--count", "0").returncode == 2
    assert run(tmp_path, "frobnicate").returncode == 2
    assert run(tmp_path, "next", "--from", "yesterday").returncode == 2


def test_safety_prints_every_note_and_when_it_is_shown():
    from postured.catalogue import load_catalogue

    done = subprocess.run([sys.executable, "-m", "postured", "safety"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    for note in load_catalogue().safety:
        assert " ".join(note.text.split()) in flat
        header = next(line for line in done.stdout.splitlines() if line.startswith(note.id + " — "))
        assert "only here" not in header, header


@pytest.mark.parametrize("args, named", [
    (("next", "--from", "9999-12-31T23:00"), "--from '9999-12-31T23:00': the year must be 1900 to 9000"),
    (("next", "--from", "0001-01-01"), "--from '0001-01-01': the year must be 1900 to 9000"),
    (("next", "--count", "100000000"), "argument --count: 100,000,000 is more than the 2,000 allowed"),
    (("history", "--days", "100000000"), "argument --days: 100,000,000 is more than the 36,500 allowed"),
    (("stats", "--days", "100000000"), "argument --days: 100,000,000 is more than the 36,500 allowed"),
])
def test_out_of_range_arguments_get_a_located_error_not_a_traceback(tmp_path, args, named):
    done = run(tmp_path, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert named in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_caps_are_in_the_help_and_the_largest_allowed_values_work(tmp_path):
    assert "1 to 2,000" in run(tmp_path, "next", "--help").stdout
    assert "1 to 36,500" in run(tmp_path, "history", "--help").stdout
    assert "1 to 36,500" in run(tmp_path, "stats", "--help").stdout
    done = run(tmp_path, "next", "--from", "9000-12-31T23:00", "--count", "2000", "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 2000
    for verb in ("history", "stats"):
        done = run(tmp_path, verb, "--days", "36500")
        assert done.returncode == 0, done.stderr
