#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, and skips what is already there:
#   - Debian packages: chromium-headless-shell (Chromium's headless shell, which renders the
#     workbench and the webviews in the tests), and what
#     code-server's native modules build against (libkrb5-dev) or use (ripgrep);
#   - code-server (VS Code 1.100.3 served to a browser), pinned, into .tools/ (git-ignored).
# The desktop VS Code cannot be downloaded on these machines; code-server comes from the
# npm registry. Recipe and reasons: ../shared/notes/real-vscode-and-browser.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CODE_SERVER_VERSION=4.100.3
DEST="$ROOT/.tools/code-server-$CODE_SERVER_VERSION"

missing=()
for pkg in chromium-headless-shell libkrb5-dev ripgrep; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present (chromium-headless-shell, libkrb5-dev, ripgrep)"
fi

if [ -f "$DEST/.complete" ]; then
  echo "setup: code-server $CODE_SERVER_VERSION present in ${DEST#$ROOT/}"
  exit 0
fi

echo "setup: installing code-server $CODE_SERVER_VERSION into ${DEST#$ROOT/} (about two minutes)"
rm -rf "$DEST"
mkdir -p "$DEST"
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Install scripts are run explicitly below: npm 11 runs dependency scripts only sometimes,
# and two of them download from GitHub, which these machines cannot reach.
npm install -g --prefix "$DEST" --ignore-scripts "code-server@$CODE_SERVER_VERSION"
CS="$DEST/lib/node_modules/code-server"
(cd "$CS" && npm rebuild argon2)
(
  cd "$CS/lib/vscode"
  npm install --omit=dev --ignore-scripts
  # @vscode/ripgrep's postinstall downloads rg from GitHub and skips when bin/ exists.
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild # node-pty, spdlog, kerberos, watchdog
  ln -sfn node_modules node_modules.asar
  ln -sf code-linux.sh bin/remote-cli/code-server
  ln -sf browser-linux.sh bin/helpers/browser.sh
)
(cd "$CS/lib/vscode/extensions" && npm install --omit=dev)
touch "$DEST/.complete"
echo "setup: code-server $CODE_SERVER_VERSION installed"
