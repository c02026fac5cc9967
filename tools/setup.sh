#!/usr/bin/env bash
# Sets up postured on a fresh Debian/Ubuntu machine: system packages, then .venv.
#   bash tools/setup.sh          what the daemon needs
#   bash tools/setup.sh --test   also the test desktop (Xvfb, trayer, dunst, ...) and pytest
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_debs=(python3-venv pkg-config libgirepository1.0-dev libcairo2-dev libdbus-1-dev
              gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1 libnotify-bin xdg-utils python3-tk
              fonts-dejavu-core)  # the font `postured report` embeds in its PDF
test_debs=(xvfb x11-utils xdotool trayer dunst dbus openbox desktop-file-utils
           # Wayland: sway 1.7 (org_kde_kwin_idle, waybar's tray, wtype's virtual keyboard),
           # KWin 5.27 (ext-idle-notify-v1), the idle.xml the protocol binding is checked against
           sway waybar wtype kwin-wayland plasma-wayland-protocols
           # calls and do-not-disturb: a PipeWire session, parecord, xfce4-notifyd with xfconfd
           pipewire pipewire-bin wireplumber pipewire-pulse pulseaudio-utils xfce4-notifyd xfconf
           poppler-utils  # pdftoppm, pdftotext: the report tests look at the PDF
           syncthing)  # two real instances on 127.0.0.1 share a folder: history on several computers


debs=("${runtime_debs[@]}")
extra=""
if [[ "${1:-}" == "--test" ]]; then
    debs+=("${test_debs[@]}")
    extra="[test]"
fi

missing=()
for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if ((${#missing[@]})); then
    if command -v apt-get >/dev/null; then
        sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
        echo "setup: installing ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: please install the equivalents of: ${missing[*]}" >&2
    fi
fi

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".$extra"
echo "setup: ready (.venv)"
