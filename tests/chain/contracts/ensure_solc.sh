#!/usr/bin/env sh
# Install the pinned solc-js compiler into build/solc/ (git-ignored) unless it is already there.
# Usage (from anywhere): sh tests/chain/contracts/ensure_solc.sh
# Then: node tests/chain/contracts/compile.mjs        (rewrites artifacts.json)
#       node tests/chain/contracts/compile.mjs --check (exits 1 if artifacts.json is stale)
set -eu
SOLC_VERSION="0.8.28"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
DEST="$ROOT/build/solc"
if [ -f "$DEST/node_modules/solc/package.json" ] && \
   grep -q "\"version\": \"$SOLC_VERSION\"" "$DEST/node_modules/solc/package.json"; then
  echo "solc $SOLC_VERSION already in $DEST"
  exit 0
fi
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || printf '{"name":"ai-credits-solc","private":true}\n' > "$DEST/package.json"
npm install --prefix "$DEST" --no-audit --no-fund --save-exact "solc@$SOLC_VERSION"
echo "installed solc $SOLC_VERSION into $DEST"
