#!/usr/bin/env bash
# Packs the package (prepack runs the build), installs the tarball into a fresh project
# and checks that every entry point loads through both require() and import.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "pack smoke: FAILED: $*" >&2
  exit 1
}

npm pack --pack-destination "$tmp" || fail "npm pack (or the build in prepack) failed"
tarballs=("$tmp"/rxtransport-*.tgz)
[ -f "${tarballs[0]}" ] || fail "npm pack produced no tarball in $tmp"

# The project lives outside the repo, so nothing resolves from the repo's node_modules.
mkdir "$tmp/app"
cd "$tmp/app"
npm init -y >/dev/null
npm install --no-audit --no-fund "${tarballs[0]}" rxjs@7.8.2 || fail "npm install of the tarball failed"

cat >check.cjs <<'JS'
const assert = require('node:assert/strict');
for (const id of ['rxtransport', 'rxtransport/operators', 'rxtransport/testing', 'rxtransport/websocket']) {
  // The require condition must pick the CommonJS build.
  assert.match(require.resolve(id), /[\\/]dist[\\/]cjs[\\/]/, `${id} resolves outside dist/cjs`);
  assert.ok(Object.keys(require(id)).length > 0, `${id} has no exports`);
}
assert.equal(typeof require('rxtransport').createConnection, 'function', 'createConnection');
require.resolve('rxtransport/package.json');
JS

cat >check.mjs <<'JS'
import assert from 'node:assert/strict';
for (const id of ['rxtransport', 'rxtransport/operators', 'rxtransport/testing', 'rxtransport/websocket']) {
  // The import condition must pick the ES module build.
  assert.match(import.meta.resolve(id), /\/dist\/esm\//, `${id} resolves outside dist/esm`);
  assert.ok(Object.keys(await import(id)).length > 0, `${id} has no exports`);
}
assert.equal(typeof (await import('rxtransport')).createConnection, 'function', 'createConnection');
import.meta.resolve('rxtransport/package.json');
JS

node check.cjs || fail "CommonJS check (require) failed"
node check.mjs || fail "ES module check (import) failed"
echo "pack smoke: ok"
