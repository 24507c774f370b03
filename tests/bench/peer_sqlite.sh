#!/bin/sh
# peer_sqlite.sh DB FILE: the sqlite3 peer of make bench: the JSONL loaded a
# line a row with .import (ASCII mode, a unit separator no JSON line holds),
# then peer_report.sql's json_extract aggregation.
rm -f "$1"
exec sqlite3 "$1" -cmd 'CREATE TABLE raw(line TEXT)' -cmd '.mode ascii' -cmd ".separator $(printf '\037') \"\\n\"" \
	-cmd ".import '$2' raw" <tests/bench/peer_report.sql
