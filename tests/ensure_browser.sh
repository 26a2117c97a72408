#!/usr/bin/env bash
# The widget test drives Debian's Chromium through its chromedriver. Installs both when either
# is missing (CI runs as root on a fresh Debian machine); does nothing when both are there.
# fonts-noto-cjk: without it the screenshots show boxes instead of Chinese.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium/chromedriver missing: run as root, or apt-get install chromium chromium-driver" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
/usr/bin/chromedriver --version
