#!/usr/bin/env bash
# Headless Chromium for the browser tests, from Debian packages (the test tools never download browsers).
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "browsers: installing chromium from Debian packages" >&2
as_root apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null \
  || echo "browsers: chromium could not be installed; browser tests will be skipped" >&2
exit 0
