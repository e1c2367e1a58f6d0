#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk with its demo
# services on the embedded defaults: the store in the data folder, no server
# configured (the queue simply waits), receipts written as PDF files.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash tools/setup-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

data_dir=${SAPHAN_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/saphan}
echo "Data folder: $data_dir"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here: starting the kiosk on a virtual X display (Xvfb)."
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    ./build/ui/saphan-kiosk --data-dir "$data_dir" "$@"
fi
exec ./build/ui/saphan-kiosk --data-dir "$data_dir" "$@"
