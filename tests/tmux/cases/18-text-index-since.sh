# Right after a big import the text index is built from the newest call down,
# and the status line says from when text search is complete.
t text-index-since
"$LLMOPS" demo --no-tui --calls 40000 --store "$T/big.db" >/dev/null || exit 1
$TM new-session -d -s ix -x 120 -y 30 "$LLMOPS --store $T/big.db"
expect_screen ix "text search covers calls since" 60
# The index is complete: the status line says nothing more about it.
i=0
while [ $i -lt 1200 ] && screen ix | grep -q "text search covers\|indexing text"; do
	sleep 0.1
	i=$((i + 1))
done
if screen ix | tail -1 | grep -q "q quit" && ! screen ix | grep -q "text search covers\|indexing text"; then ok; else
	bad "the status line still talks of the index: $(screen ix | tail -1)"; fi
$TM kill-session -t ix
