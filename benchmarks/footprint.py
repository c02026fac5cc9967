"""What postured costs while it waits, next to a sleeping python3 and Workrave, in one run.

    .venv/bin/python benchmarks/footprint.py [--settle 20] [--idle 120] [--rounds 2]

Starts the test desktop (Xvfb, private D-Bus, dunst, trayer: tests/desktop.py), then for
each program: launch it, time until its icon is in the tray, let it settle, and over the
idle window record RSS and PSS (/proc/PID/smaps_rollup, children included), CPU seconds
(utime + stime), context switches summed over all threads (wake-ups), and threads.
postured runs with a realistic config (30 min interval, all-day window) with the tray and
with --no-tray. Workrave is measured where it is installed. Medians over the rounds.
A benchmark, run on demand: the test suite only checks that it produces its table.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from daemon import ALL_DAY  # noqa: E402
from desktop import Desktop  # noqa: E402

REALISTIC = ALL_DAY.format(interval="30m")


@dataclass
class Sample:
    rss_mb: float
    pss_mb: float
    cpu_s_per_hour: float
    wakeups_per_min: float
    threads: int
    to_tray_s: float | None


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    found = [pid]
    for child_list in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            children = Path(child_list).read_text().split()
        except OSError:
            continue
        for child in children:
            found += tree(int(child))
    return found


def memory(pids: list[int]) -> tuple[float, float]:
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def cpu_and_switches(pids: list[int]) -> tuple[float, int, int]:
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, switches, threads = 0.0, 0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in glob.glob(f"/proc/{pid}/task/*/status"):
                threads += 1
                for line in Path(task).read_text().splitlines():
                    if "ctxt_switches" in line:
                        switches += int(line.split()[1])
        except OSError:
            pass
    return cpu, switches, threads


def measure(argv: list[str], env: dict, desktop: Desktop | None, wm_class: str | None,
            settle: float, idle: float) -> Sample:
    launched = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    to_tray = None
    try:
        if desktop is not None and wm_class:
            deadline = launched + 30
            while time.monotonic() < deadline and not desktop.tray_icons(wm_class):
                time.sleep(0.01)
            if desktop.tray_icons(wm_class):
                to_tray = time.monotonic() - launched
        time.sleep(settle)
        pids = tree(proc.pid)
        cpu0, switches0, _ = cpu_and_switches(pids)
        started = time.monotonic()
        time.sleep(idle)
        elapsed = time.monotonic() - started
        pids = tree(proc.pid)
        cpu1, switches1, threads = cpu_and_switches(pids)
        rss, pss = memory(pids)
        return Sample(rss, pss, (cpu1 - cpu0) * 3600 / elapsed, (switches1 - switches0) * 60 / elapsed,
                      threads, to_tray)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def median(samples: list[Sample]) -> Sample:
    def mid(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    return Sample(*(mid([getattr(s, f) for s in samples]) for f in Sample.__dataclass_fields__))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=20)
    parser.add_argument("--idle", type=float, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="postured-footprint-"))
    desktop = Desktop(root / "desktop")
    config = root / "config.toml"
    config.write_text(REALISTIC)
    postured = [sys.executable, "-m", "postured", "--config", str(config), "run"]
    env = {**desktop.env, "PYSTRAY_BACKEND": os.environ.get("PYSTRAY_BACKEND", "gtk")}
    programs: dict[str, tuple[list[str], str | None]] = {
        "python3 sleeping (floor)": ([sys.executable, "-c", "import time; time.sleep(1e6)"], None),
        f"postured ({env['PYSTRAY_BACKEND']} tray)": (postured, "postured"),
        "postured --no-tray": ([*postured, "--no-tray"], None),
    }
    if shutil.which("workrave"):
        programs["Workrave"] = (["workrave"], "workrave")
    results: dict[str, list[Sample]] = {name: [] for name in programs}
    try:
        for _ in range(args.rounds):
            for name, (argv, wm_class) in programs.items():
                results[name].append(measure(argv, env, desktop, wm_class, args.settle, args.idle))
    finally:
        desktop.close()

    rows = {name: median(samples) for name, samples in results.items()}
    anchor = rows.get("Workrave")
    print(f"postured footprint, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"idle {args.idle:.0f} s after {args.settle:.0f} s, median of {args.rounds}")
    header = "| program | RSS MB | PSS MB | CPU s per idle hour | wakeups/min | threads | start to tray icon |"
    print(header)
    print("|" + "---|" * 7)
    for name, row in rows.items():
        ratio = f" ({row.rss_mb / anchor.rss_mb:.2f}× Workrave)" if anchor and name.startswith("postured") else ""
        tray = f"{row.to_tray_s:.2f} s" if row.to_tray_s is not None else "—"
        print(f"| {name} | {row.rss_mb:.1f}{ratio} | {row.pss_mb:.1f} | {row.cpu_s_per_hour:.2f} | "
              f"{row.wakeups_per_min:.1f} | {row.threads:.0f} | {tray} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
