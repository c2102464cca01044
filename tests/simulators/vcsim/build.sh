#!/usr/bin/env bash
# Build the project's vSphere simulator (tests/output/bin/clusterops-vcsim) offline.
# With --test, run the Go unit tests (go vet + go test) instead of building.
#
# govmomi 0.24.2 comes from the Debian package golang-github-vmware-govmomi-dev
# (source under /usr/share/gocode); we build in GOPATH mode with no module proxy,
# so nothing is downloaded. Rebuilds only when our Go sources changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="$repo/tests/output"
bin="$out/bin/clusterops-vcsim"
gopath="$out/gopath"
gocode=/usr/share/gocode
pkg=clusterops/vcsim

need_apt=()
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
[ -d "$gocode/src/github.com/vmware/govmomi/simulator" ] || need_apt+=(golang-github-vmware-govmomi-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: missing Debian packages ${need_apt[*]}; run as root or: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

gopath_env() {
  mkdir -p "$gopath/src/clusterops" "$out/bin"
  ln -sfn "$here" "$gopath/src/$pkg"
  export GO111MODULE=off GOPROXY=off GOFLAGS='' GOPATH="$gopath:$gocode"
  export GOCACHE="$out/gocache"
}

if [ "${1:-}" = "--test" ]; then
  gopath_env
  go vet "$pkg"
  exec go test -count=1 "$pkg"
fi

# The stamp is a hash of our sources plus the Go and govmomi versions.
stamp_file="$out/bin/.clusterops-vcsim.stamp"
stamp="$(
  {
    go version
    cat "$gocode/src/github.com/vmware/govmomi/go.mod"
    find "$here" -maxdepth 1 -name '*.go' -print0 | sort -z | xargs -0 cat
  } | sha256sum | cut -d' ' -f1
)"
if [ -x "$bin" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "clusterops-vcsim is up to date: $bin"
  exit 0
fi

# Private GOPATH: our package is linked in, dependencies come from Debian's tree.
gopath_env
go build -o "$bin.tmp" "$pkg"
mv -f "$bin.tmp" "$bin"
echo "$stamp" >"$stamp_file"
echo "built $bin"
