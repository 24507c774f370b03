# The man page's key list comes from the action table; the example rc file loads clean.
t man-keys-in-step
python3 scripts/man-keys.py >"$T/keys.want"
sed -n '/^\.\\" keys: begin/,/^\.\\" keys: end/p' llmops.1 | sed '1d;$d' >"$T/keys.got"
if cmp -s "$T/keys.want" "$T/keys.got" && [ -s "$T/keys.got" ]; then ok; else bad "llmops.1's KEYS differ from scripts/man-keys.py: $(diff "$T/keys.want" "$T/keys.got" | head -5)"; fi
t rc-example-loads-clean
sed -e 's/^#bind /bind /' -e 's/^#color /color /' llmopsrc.example >"$T/example.rc"
echo ':q' >"$T/q.keys"
"$LLMOPS" --store "$T/example.db" import /dev/null >/dev/null 2>&1
LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/q.keys" expect_rc 0 "$LLMOPS" -c "$T/example.rc" --store "$T/example.db"
lacks "$T/err" "example.rc"
