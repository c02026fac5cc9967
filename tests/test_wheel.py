"""The wheel: built from the repo, installed into a fresh venv elsewhere, it runs."""

import subprocess
import sys
from pathlib import Path

import pytest
from daemon import Daemon

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def german_text(english: str) -> str:
    from babel.messages.pofile import read_po

    with (REPO / "postured/locale/de/LC_MESSAGES/catalogue.po").open("rb") as source:
        message = read_po(source).get(english)
    return message.string if message else ""


def test_wheel_installs_and_runs_outside_the_repo(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(REPO)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("postured-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(outside), "TZ": "UTC",
           "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(outside / "cfg"),
           "XDG_DATA_HOME": str(outside / "data"), "POSTURED_NOTIFIER": "null"}
    python = str(venv / "bin" / "python")

    listed = subprocess.run([str(venv / "bin" / "postured"), "exercises"], cwd=outside, env=env,
                            capture_output=True, text=True)
    assert listed.returncode == 0 and "chin-tuck" in listed.stdout

    # The translations are compiled into the wheel (never committed) and found once installed.
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for language in ("de", "fr", "es", "pt_BR"):
        for domain in ("postured", "catalogue"):
            assert f"postured/locale/{language}/LC_MESSAGES/{domain}.mo" in names
    german_name = german_text("Chin tuck")
    assert german_name and german_name != "Chin tuck"
    in_german = subprocess.run([str(venv / "bin" / "postured"), "exercises"], cwd=outside,
                               env={**env, "LANG": "de_DE.UTF-8"}, capture_output=True, text=True)
    assert in_german.returncode == 0 and german_name in in_german.stdout, in_german.stdout[:400]

    shipped = subprocess.run(
        [python, "-c", "from postured.resources import icon_path, example_config;"
                       "print(icon_path('due')); print(example_config())"],
        cwd=outside, env=env, capture_output=True, text=True, check=True).stdout.split()
    for path in shipped:
        assert str(venv) in path and Path(path).is_file(), path

    # The poses ship with the catalogue: the installed package draws an exercise's picture.
    drawn = subprocess.run(
        [python, "-c", "from postured.catalogue import load_catalogue; from postured.pictures.cache import picture_path;"
                       "print(picture_path(load_catalogue().by_id('chin-tuck')))"],
        cwd=outside, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert drawn.startswith(str(outside)) and drawn.endswith(".png") and Path(drawn).stat().st_size > 500

    assert subprocess.run([str(venv / "bin" / "postured"), "config", "init"], cwd=outside, env=env).returncode == 0

    daemon = Daemon(tmp_path / "run", env, "", args=("run", "--no-tray"),
                    program=[str(venv / "bin" / "postured")], cwd=outside)
    try:
        daemon.wait_for_log("start: ")
        stop = subprocess.run([str(venv / "bin" / "postured"), "quit"], env=env, capture_output=True, text=True)
        assert stop.returncode == 0, stop.stderr
        assert daemon.wait_exit(10) == 0
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
