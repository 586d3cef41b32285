#!/usr/bin/env bash
# The VS Code extension: install the locked dependencies, type-check, bundle, test the
# grammar, package a .vsix. Needs Node.js 20 and npm; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo "node $(node --version), npm $(npm --version 2>/dev/null)"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent typecheck
npm run --silent build -- --production
npm run --silent test:grammar
rm -f ./*.vsix
npm run --silent package
vsix=$(ls ./*.vsix)
# The package holds the bundle, the grammar, the snippets and the language configuration.
listing=$(unzip -l "$vsix")
for file in extension/dist/extension.js extension/syntaxes/plat.tmLanguage.json \
  extension/snippets/plat.json extension/language-configuration.json extension/package.json; do
  grep -q " $file\$" <<<"$listing" || { echo "missing from $vsix: $file" >&2; exit 1; }
done
if grep -q "extension/node_modules/" <<<"$listing"; then
  echo "$vsix should not contain node_modules (the bundle has everything)" >&2
  exit 1
fi
echo "packaged $vsix ($(wc -c <"$vsix") bytes)"
