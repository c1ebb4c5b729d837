#!/bin/sh
# Prints uringaudit's version: `git describe` of the newest v* tag (0.2.0, or
# 0.2.0-3-gabc1234 for commits after it, -dirty with local changes), else the
# VERSION file (a tarball, or a clone with no tag yet).
cd "$(dirname "$0")/.." || exit 1
v=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null) && { echo "${v#v}"; exit 0; }
cat VERSION
