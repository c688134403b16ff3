#!/usr/bin/env sh
# Install the pinned anvil (Foundry's local EVM node) into build/anvil/ (git-ignored) unless it is
# already there. The binary comes from npm only: @foundry-rs/anvil lists one optionalDependency per
# platform (@foundry-rs/anvil-linux-amd64, …) that carries the executable, so no GitHub download is
# needed; install scripts are skipped (the package's postinstall is only a fallback downloader).
# Usage (from anywhere): sh tests/onchain/ensure_anvil.sh   → prints the binary's path last
set -eu
ANVIL_VERSION="1.7.1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/build/anvil"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM="linux-amd64" ;;
  Linux-aarch64|Linux-arm64) PLATFORM="linux-arm64" ;;
  Darwin-x86_64) PLATFORM="darwin-amd64" ;;
  Darwin-arm64) PLATFORM="darwin-arm64" ;;
  *) echo "ensure_anvil: unsupported platform $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
PACKAGE="@foundry-rs/anvil-$PLATFORM"
BIN="$DEST/node_modules/$PACKAGE/bin/anvil"
if [ -x "$BIN" ] && grep -q "\"version\": \"$ANVIL_VERSION\"" "$DEST/node_modules/$PACKAGE/package.json"; then
  echo "anvil $ANVIL_VERSION already in $DEST" >&2
  echo "$BIN"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "ensure_anvil: npm is required (apt-get install npm)" >&2; exit 2; }
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || printf '{"name":"ai-credits-anvil","private":true}\n' > "$DEST/package.json"
# The platform package directly: it holds the binary whichever way npm treats optional deps.
npm install --prefix "$DEST" --no-audit --no-fund --ignore-scripts --save-exact \
  "@foundry-rs/anvil@$ANVIL_VERSION" "$PACKAGE@$ANVIL_VERSION" >&2
if [ ! -x "$BIN" ]; then
  echo "ensure_anvil: $BIN missing after npm install" >&2
  exit 1
fi
"$BIN" --version >&2
echo "installed anvil $ANVIL_VERSION into $DEST" >&2
echo "$BIN"
