#!/usr/bin/env sh
# Install the pinned axe-core into build/axe/ (once) and print the path of axe.min.js.
# Usage: catalogue/visual/ensure_axe.sh [build-dir]   (default: build/axe under the project root)
set -eu
AXE_VERSION="4.14.1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${1:-$root/build/axe}"
file="$dest/node_modules/axe-core/axe.min.js"
if [ -f "$file" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$dest/node_modules/axe-core/package.json"; then
  echo "$file"
  exit 0
fi
mkdir -p "$dest"
npm install --prefix "$dest" --no-audit --no-fund --no-save --loglevel=error \
  "axe-core@$AXE_VERSION" >&2
test -f "$file"
echo "$file"
