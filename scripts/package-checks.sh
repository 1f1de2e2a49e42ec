#!/usr/bin/env bash
# Package checks, run after a build (builds first when dist/ is missing):
#   publint --strict               package.json fields, exports and files as published
#   attw (@arethetypeswrong/cli)   every entry point's types under node10, node16 (CJS and ESM)
#                                  and bundler resolution
#   scripts/treeshake-check.mjs    a consumer of `fromConnection` alone bundles no subprocess,
#                                  pipe or datagram code
# All three read the same tarball, packed once without scripts (so without prepack's rebuild).
# Prints one summary line per check and exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/esm/index.js ] || [ ! -f dist/cjs/index.js ]; then
  echo "== dist/ is missing: npm run build"
  npm run build || {
    echo "package checks: FAILED: build" >&2
    exit 1
  }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=()
summary=()

npm pack --ignore-scripts --silent --pack-destination "$tmp" >/dev/null || {
  echo "package checks: FAILED: npm pack" >&2
  exit 1
}
tarballs=("$tmp"/rxtransport-*.tgz)
tarball=${tarballs[0]}
[ -f "$tarball" ] || {
  echo "package checks: FAILED: npm pack produced no tarball" >&2
  exit 1
}

# publint: --strict turns warnings into errors; suggestions only print, so any message at all
# ("All good!" is the only clean output) fails the check too.
echo "== publint --strict"
if out=$(npx --no-install publint run --strict "$tarball" 2>&1); then rc=0; else rc=$?; fi
echo "$out"
# publint colours its output where it thinks a terminal is; strip the colour codes first.
plain=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out")
if [ "$rc" -eq 0 ] && grep -q '^All good!' <<<"$plain"; then
  summary+=("publint: ok (strict, no errors, warnings or suggestions)")
else
  summary+=("publint: FAILED (exit $rc; see the messages above)")
  failed+=(publint)
fi

# attw exits non-zero on any problem in any resolution mode (the strict profile: node10,
# node16 from CJS, node16 from ESM, bundler) for any entry point in the exports map.
echo "== attw --profile strict"
if npx --no-install attw --profile strict "$tarball"; then
  summary+=("attw: ok (every entry point under node10, node16-cjs, node16-esm and bundler)")
else
  summary+=("attw: FAILED (see the table above)")
  failed+=(attw)
fi

# The consumer installs the unpacked tarball, so `files` and the exports map are what users get.
echo "== node scripts/treeshake-check.mjs (the packed package)"
mkdir "$tmp/unpacked"
tar -xzf "$tarball" -C "$tmp/unpacked"
if line=$(node scripts/treeshake-check.mjs "$tmp/unpacked/package" 2>&1); then
  summary+=("$line")
else
  echo "$line"
  summary+=("$(tail -n 1 <<<"$line")")
  failed+=(tree-shaking)
fi

echo "== package checks"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "package checks: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "package checks: ok"
