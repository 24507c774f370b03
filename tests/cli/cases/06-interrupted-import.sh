# A large import interrupted: killed midway, or the disk full. The store stays whole,
# and the same import run again completes it exactly.
t killed-import-completes-exactly
big_import
"$LLMOPS" --store "$T/killed.db" import "$G" >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(sqlite3 "$T/killed.db" "PRAGMA integrity_check; SELECT count(*) FROM calls" 2>&1 | tr '\n' ' ')
case "$partial" in "ok "*) ok ;; *) bad "integrity after kill: $partial" ;; esac
expect_rc 0 "$LLMOPS" --store "$T/killed.db" import "$G"
"$LLMOPS" --store "$T/killed.db" report --since 30d --json >"$T/killed.json"
if cmp -s "$T/clean.json" "$T/killed.json"; then ok; else bad "report differs after a killed import: $partial"; fi
eq "$(sqlite3 "$T/killed.db" "SELECT sum(calls) FROM rollup_1m")" "$(sqlite3 "$T/killed.db" "SELECT count(*) FROM calls")"

# A full disk. The count printed is what was committed, the error names the
# store, and the same import run again (once there is room) completes it
# exactly. A small tmpfs where mounting is allowed (root), else a file size limit.
t full-disk-reports-what-landed
FD="$T/full"
mkdir -p "$FD"
if mount -t tmpfs -o size=12m tmpfs "$FD" 2>/dev/null; then
	full_run() { "$LLMOPS" --store "$FD/s.db" import "$G"; }
	room() { mount -o remount,size=400m "$FD"; }
else
	echo "cli: full-disk: cannot mount a tmpfs (not root); a file size limit stands in for a full disk"
	full_run() { (trap '' XFSZ; ulimit -f 12000; exec "$LLMOPS" --store "$FD/s.db" import "$G"); }
	room() { full_run() { "$LLMOPS" --store "$FD/s.db" import "$G"; }; }
fi
expect_rc 1 full_run
has "$T/err" "llmops: $FD/s.db: "
has "$T/err" "run the same import again: what landed is not imported twice"
landed=$(sed -n 's/^.*gen.jsonl: \([0-9,]*\) calls imported before the store failed.*$/\1/p' "$T/out" | tr -d ,)
eq "$landed" "$(sqlite3 "$FD/s.db" "SELECT count(*) FROM calls")"
if [ -n "$landed" ] && [ "$landed" -lt 150000 ]; then ok; else bad "imported '$landed' of 150000 on a full disk: $(cat "$T/out")"; fi
room
expect_rc 0 full_run
"$LLMOPS" --store "$FD/s.db" report --since 30d --json >"$T/full.json"
if cmp -s "$T/clean.json" "$T/full.json"; then ok; else bad "report differs after a full disk and a second import"; fi
eq "$(sqlite3 "$FD/s.db" "SELECT count(*) FROM calls")" 150000
umount "$FD" 2>/dev/null
