"""How long the CLI takes, against `python3 -c pass` measured in the same run.

    .venv/bin/python benchmarks/cli_latency.py [--rounds 30]

Starts `postured run --no-tray` in a private runtime dir, then alternates
`python -c pass`, `postured status` and `postured next --count 1000`, and prints
medians and ratios. A benchmark, run on demand: never a timed assertion in the tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from daemon import ALL_DAY, Daemon, private_env  # noqa: E402
from desktop import wait_until  # noqa: E402

STATUS_GOAL = 3.0  # a status bar polls this: at most 3x the bare interpreter's start


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="postured-bench-"))
    env = private_env(root)
    script = str(Path(sys.executable).with_name("postured"))
    daemon = Daemon(root, env, ALL_DAY.format(interval="30m"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: subprocess.run([script, "status"], env=env, capture_output=True).returncode == 0,
                   "the daemon to answer", 30)
        commands = {
            "python3 -c pass": [sys.executable, "-c", "pass"],
            "postured status": [script, "status"],
            "postured next --count 1000": [script, "--config", str(daemon.config), "next", "--count", "1000"],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):  # alternate, so drift hits every command alike
            for name, argv in commands.items():
                samples[name].append(timed(argv, env))
    finally:
        daemon.stop()
    floor = statistics.median(samples["python3 -c pass"])
    print(f"{'command':<28} {'median ms':>10} {'ratio':>7}   ({args.rounds} rounds, {time.strftime('%Y-%m-%d')})")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<28} {median * 1000:>10.1f} {median / floor:>6.2f}x")
    ratio = statistics.median(samples["postured status"]) / floor
    print(f"goal: postured status within {STATUS_GOAL:g}x python3 -c pass: {'met' if ratio <= STATUS_GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
