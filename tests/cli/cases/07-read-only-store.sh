# A store that cannot be written: a read-only file system (a tmpfs remounted
# read-only) where mounting is allowed, else a folder and a file without write
# permission (which do not stop root). What only reads works; what writes
# says why it cannot.
t read-only-store
RO="$T/ro"
mkdir -p "$RO"
ro_mounted=0
mount -t tmpfs -o size=8m tmpfs "$RO" 2>/dev/null && ro_mounted=1
printf '%s\n' '{"ts":"2026-11-23T11:30:00Z","model":"gpt-4o","input_tokens":10,"output_tokens":5}' \
	'{"ts":"2026-11-23T11:40:00Z","model":"claude-haiku-4-5","status":"error","error_type":"timeout"}' >"$T/ro.jsonl"
"$LLMOPS" --store "$RO/s.db" import "$T/ro.jsonl" >/dev/null 2>&1
if [ $ro_mounted = 1 ]; then
	mount -o remount,ro "$RO"
elif [ "$(id -u)" != 0 ]; then
	chmod 444 "$RO/s.db"
	chmod 555 "$RO"
else
	echo "cli: read-only-store: cannot mount a tmpfs and root ignores file modes; skipped"
fi
if [ $ro_mounted = 1 ] || [ "$(id -u)" != 0 ]; then
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" report --since 1h --json
	eq "$(json "$T/out" "d['total']['calls'], d['total']['errors']")" "2 1"
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" usage --json
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" prompt list
	has "$T/out" "no prompts yet"
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" export --format jsonl
	eq "$(cat "$T/out")" ""
	expect_rc 1 "$LLMOPS" --store "$RO/s.db" import "$T/ro.jsonl"
	has "$T/err" "llmops: $RO/s.db: the store is read-only ("
	has "$T/err" "); this command writes to it"
	# The console shows the store, says it is read-only, and refuses labels.
	printf ':save-display %s\nA\n:save-display %s\n:q\n' "$T/ro1.screen" "$T/ro2.screen" >"$T/ro.keys"
	LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/ro.keys" expect_rc 0 "$LLMOPS" --store "$RO/s.db"
	has "$T/ro1.screen" "store is read-only: viewing only"
	has "$T/ro1.screen" "1 of 2 calls"
	has "$T/ro2.screen" "annotate: store is read-only: viewing only (labels cannot be saved)"
fi
[ $ro_mounted = 1 ] && umount "$RO"
chmod -R u+w "$RO" 2>/dev/null
