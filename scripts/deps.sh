#!/bin/sh
# Installs what llmops needs to build and test, when it is missing: Debian or
# Ubuntu packages through apt-get, with sudo when not root. Prints nothing
# when everything is already there.
set -eu

need_pkgs=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_cmd cc || need_pkgs="$need_pkgs build-essential"
have_cmd pkg-config || need_pkgs="$need_pkgs pkg-config"
# protoc-c turns data/otlp.proto into C at build time.
have_cmd protoc-c || need_pkgs="$need_pkgs protobuf-c-compiler"
# Libraries, by pkg-config name and Debian package.
for pair in ncursesw:libncurses-dev libcurl:libcurl4-openssl-dev libcjson:libcjson-dev \
            sqlite3:libsqlite3-dev libedit:libedit-dev libzstd:libzstd-dev libprotobuf-c:libprotobuf-c-dev \
            libmicrohttpd:libmicrohttpd-dev zlib:zlib1g-dev libsodium:libsodium-dev; do
	pc=${pair%%:*}; deb=${pair#*:}
	have_pc "$pc" || need_pkgs="$need_pkgs $deb"
done
if [ "${1:-}" = "--test" ]; then
	have_pc check || need_pkgs="$need_pkgs check"
	have_cmd tmux || need_pkgs="$need_pkgs tmux"
	have_cmd sqlite3 || need_pkgs="$need_pkgs sqlite3"
	have_cmd python3 || need_pkgs="$need_pkgs python3"
	have_cmd bc || need_pkgs="$need_pkgs bc"
	# The ClickHouse store's tests start private servers (tests/lib/clickhouse.sh).
	have_cmd clickhouse-server || [ -x /usr/sbin/clickhouse-server ] || need_pkgs="$need_pkgs clickhouse-server"
	have_cmd curl || need_pkgs="$need_pkgs curl"
	have_cmd openssl || need_pkgs="$need_pkgs openssl" # certificates of the HTTPS tests
	[ -x /usr/bin/time ] || need_pkgs="$need_pkgs time" # peak memory of a command (the hostile-server tests)
	# make fuzz and fuzz-regress: clang and its libFuzzer runtime.
	have_cmd clang || need_pkgs="$need_pkgs clang"
	if ! ls "$(clang -print-resource-dir 2>/dev/null)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
		need_pkgs="$need_pkgs libclang-rt-dev"
	fi
fi

[ -z "$need_pkgs" ] && exit 0

if ! have_cmd apt-get; then
	echo "llmops: missing:$need_pkgs; install them with your package manager" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if have_cmd sudo; then SUDO="sudo"; else
		echo "llmops: missing:$need_pkgs; run as root or install sudo" >&2
		exit 1
	fi
fi
echo "llmops: installing:$need_pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null
