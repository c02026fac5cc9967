"""Re-make the README's pictures from the real program: .venv/bin/python tools/screenshots.py

    docs/exercises.png          every exercise's key poses (postured.pictures, Pillow)
    docs/tray-icons*.png        the tray icons on light and dark panels (icons/make_icons.py)
    docs/reminder.png           a reminder as dunst shows it
    docs/reminder-xfce.png      the same reminder at xfce4-notifyd (if it is installed)
    docs/tray-menu.png          the tray menu with a break due (pystray, gtk, in trayer)
    docs/guide.png              the guide window in the middle of a hold
    docs/*-de.png               the tray menu, the reminder and the guide window in German

The screenshots come from `postured run` and `postured guide` on a private X server
(Xvfb, a private D-Bus bus, trayer, dunst, openbox: the test desktop of tests/desktop.py),
so the README never shows a picture older than the code. Needs `tools/setup.sh --test`.
`--limits` instead sends a long probe body to dunst and xfce4-notifyd (their default
settings) and keeps what each shows: docs/limits-*.png.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from daemon import ALL_DAY, Daemon  # noqa: E402  (the test desktop's helpers)
from desktop import Desktop, wait_until  # noqa: E402

from postured.catalogue import load_catalogue  # noqa: E402
from postured.pictures.cache import figures  # noqa: E402
from postured.pictures.draw import pose_still  # noqa: E402
from postured.pictures.pillow_painter import paint  # noqa: E402

TILE = 150


def font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def contact_sheet(path: Path) -> None:
    """Every catalogue exercise: its name and each key pose (start, end or right and left)."""
    catalogue = load_catalogue()
    cells = []
    for exercise in catalogue.exercises:
        figure = figures()[exercise.id]
        names = list(figure.poses)
        cell = Image.new("RGB", (3 * TILE + 2 * 6, TILE + 44), "white")
        pen = ImageDraw.Draw(cell)
        pen.text((2, 2), exercise.name, font=font(14), fill=(30, 30, 30))
        for i, name in enumerate(names):
            cell.paste(paint(pose_still(figure, name), TILE), (i * (TILE + 6), 22))
            pen.text((i * (TILE + 6) + 4, TILE + 25), name, font=font(11), fill=(110, 110, 110))
        cells.append(cell)
    columns = 3
    width, height = cells[0].size
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * (width + 24) + 24, rows * (height + 18) + 18), "white")
    for index, cell in enumerate(cells):
        sheet.paste(cell, (24 + index % columns * (width + 24), 18 + index // columns * (height + 18)))
    sheet.save(path, optimize=True)
    print(f"wrote {path.relative_to(REPO)}")


def tray_icons() -> None:
    spec = importlib.util.spec_from_file_location("make_icons", REPO / "icons" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--sizes"])


def crop_window(shot: Path, desktop: Desktop, window: str, out: Path, margin: int = 8) -> None:
    geometry = desktop.xdotool("getwindowgeometry", "--shell", window)
    values = dict(line.split("=", 1) for line in geometry.split())
    x, y, w, h = (int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    image = Image.open(shot)
    image.crop((max(0, x - margin), max(0, y - margin - 24), x + w + margin, y + h + margin)).save(out)
    print(f"wrote {out.relative_to(REPO)}")


def break_now(daemon: Daemon) -> None:
    """A break due now, as the tray's "Take a break now" makes one."""
    subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config), "break-now"],
                   env=daemon.env, check=True, timeout=20, capture_output=True)
    daemon.wait_for_event("shown")


def shoot_desktop(work: Path, language: str = "") -> None:
    """The tray menu, a reminder and the guide window; in German with language "de"
    (docs/tray-menu-de.png …), as a person with LANG=de_DE.UTF-8 sees them."""
    desktop = Desktop(work / f"desktop{language}")
    daemon = None
    suffix = f"-{language}" if language else ""
    extra_env = {"PYSTRAY_BACKEND": "gtk"}
    if language:
        extra_env.update(LANG=f"{language}_{language.upper()}.UTF-8", LANGUAGE=language)
    try:
        desktop.start_window_manager()
        daemon = Daemon(work / f"daemon{language}", desktop.env, ALL_DAY.format(interval="30m"),
                        extra_env=extra_env, used_before=True)  # the reminder, not the first-run note
        daemon.wait_for_log("tray icon ready")
        break_now(daemon)
        wait_until(desktop.notifications, "the reminder at dunst")
        # dunst draws a moment after it logs: wait for the notification's window.
        note = wait_until(lambda: desktop.xdotool("search", "--class", "Dunst").split(), "dunst's window")[-1]
        wait_until(lambda: "Map State: IsViewable" in subprocess.run(
            ["xwininfo", "-id", note], env=desktop.env, capture_output=True, text=True).stdout, "dunst mapped")
        shot = desktop.screenshot(work / "reminder-full.png")
        crop_window(shot, desktop, note, DOCS / f"reminder{suffix}.png")

        subprocess.run(["dunstctl", "close-all"], env=desktop.env, check=True, timeout=10)
        icon = wait_until(lambda: desktop.tray_icons(visible=True), "the tray icon")[-1][0]
        desktop.xdotool("mousemove", "--window", str(icon), "10", "10", "click", "3")
        menu = wait_until(desktop.open_menus, "the tray menu")[-1]
        shot = desktop.screenshot(work / "menu-full.png")
        crop_window(shot, desktop, str(menu), DOCS / f"tray-menu{suffix}.png", margin=40)
        desktop.xdotool("key", "Escape")
        wait_until(lambda: not desktop.open_menus(), "the menu to close")

        guide = subprocess.Popen([sys.executable, "-m", "postured", "--config", str(daemon.config), "guide"],
                                 env=daemon.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            window = wait_until(lambda: desktop.windows("postured-guide", visible=True), "the guide window")[-1]
            desktop.xdotool("windowfocus", "--sync", window)
            desktop.xdotool("key", "Return")  # start the first hold: the figure moves into it
            start = time.monotonic()
            wait_until(lambda: time.monotonic() - start > 2.0, "the figure to reach the hold")
            shot = desktop.screenshot(work / "guide-full.png")
            crop_window(shot, desktop, window, DOCS / f"guide{suffix}.png")
        finally:
            guide.terminate()
            guide.wait(10)
    finally:
        if daemon is not None:
            daemon.stop()
        desktop.close()


def shoot_xfce_reminder(work: Path) -> None:
    """The same reminder at xfce4-notifyd, to see what it shows of the body."""
    server = Path("/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd")
    if not server.exists():
        print("xfce4-notifyd is not installed: docs/reminder-xfce.png not made")
        return
    desktop = Desktop(work / "xfce", tray=False, notifications=False)
    daemon = None
    try:
        desktop._spawn("xfce4-notifyd", [str(server)])
        wait_until(lambda: desktop.has_bus_name("org.freedesktop.Notifications"), "xfce4-notifyd")
        daemon = Daemon(work / "xfce-daemon", desktop.env, ALL_DAY.format(interval="30m"),
                        args=("run", "--no-tray"), used_before=True)  # the reminder, not the first-run note
        daemon.wait_for_log("running with")
        break_now(daemon)
        note = wait_until(lambda: desktop.xdotool("search", "--onlyvisible", "--class", "xfce4-notifyd").split(),
                          "xfce4-notifyd's window", 20)[-1]
        shot = work / "xfce-full.png"

        def drawn() -> bool:  # it fades in: wait until the window has pixels that are not black
            desktop.screenshot(shot)
            return Image.open(shot).convert("L").getextrema()[1] > 200

        wait_until(drawn, "xfce4-notifyd to draw the reminder")
        crop_window(shot, desktop, note, DOCS / "reminder-xfce.png")
    finally:
        if daemon is not None:
            daemon.stop()
        desktop.close()


PROBE_LINES = 12
# A ruler first (80 digits, no space: where it breaks is the line's width in characters),
# then numbered lines of words (how many lines are shown before the server cuts).
PROBE = "\n".join(["1234567890" * 8] + [f"{n:02d} " + "abcdefghij " * 7 for n in range(2, PROBE_LINES + 1)])


def measure_limits(work: Path) -> None:
    """What each server shows of a long body (12 numbered lines of 80 characters), with its
    own default settings: docs/limits-dunst.png, docs/limits-xfce.png (README, "Reminders")."""
    servers = {"dunst": ["dunst", "-config", "/etc/xdg/dunst/dunstrc"],
               "xfce": ["/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd"]}
    for name, argv in servers.items():
        if not Path(argv[0]).exists() and subprocess.run(["which", argv[0]], capture_output=True).returncode:
            print(f"{argv[0]} is not installed: docs/limits-{name}.png not made")
            continue
        desktop = Desktop(work / f"limits-{name}", tray=False, notifications=False)
        try:
            desktop._spawn(name, argv)
            wait_until(lambda: desktop.has_bus_name("org.freedesktop.Notifications"), name)
            subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications",
                            "--object-path", "/org/freedesktop/Notifications", "--method",
                            "org.freedesktop.Notifications.Notify", "postured", "0", "",
                            "Posture break: a long probe", PROBE, "[]", "{}", "60000"],
                           env=desktop.env, check=True, capture_output=True, timeout=20)
            shot = work / f"limits-{name}.png"

            def drawn() -> bool:
                desktop.screenshot(shot)
                return Image.open(shot).convert("L").getextrema()[1] > 150

            wait_until(drawn, f"{name} to draw the probe")
            image = Image.open(shot)
            box = Image.eval(image.convert("L"), lambda v: 255 if v > 20 else 0).getbbox()
            image.crop(box).save(DOCS / f"limits-{name}.png")
            print(f"wrote docs/limits-{name}.png")
        finally:
            desktop.close()


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    if "--limits" in sys.argv[1:]:
        with tempfile.TemporaryDirectory(prefix="postured-limits-") as work:
            measure_limits(Path(work))
        return
    contact_sheet(DOCS / "exercises.png")
    tray_icons()
    with tempfile.TemporaryDirectory(prefix="postured-shots-") as work:
        shoot_desktop(Path(work))
        shoot_desktop(Path(work), language="de")
        shoot_xfce_reminder(Path(work))


if __name__ == "__main__":
    main()
