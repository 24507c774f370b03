# Configuration: the rc file, its errors by FILE:LINE, the store it names, a pricing file.
corpus_store
stdin_store
t rc-errors
mkdir -p "$XDG_CONFIG_HOME/llmops"
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set window = 30d
set nonsense = 1
label 12 x
provider openai type=openai admin_key_file=$T/admin.key
EOF
printf 'sk-admin-test\n' >"$T/admin.key"
chmod 644 "$T/admin.key"
expect_rc 0 "$LLMOPS" --store "$S" report
has "$T/err" "llmops: $XDG_CONFIG_HOME/llmops/llmopsrc:2: unknown option 'nonsense'"
has "$T/err" "llmopsrc:3: label"
has "$T/err" "llmopsrc:4: key file $T/admin.key is readable by group or others (mode 0644); refused"
lacks "$T/err" "sk-admin-test"
has "$T/out" "8 calls" # set window = 30d took effect
chmod 600 "$T/admin.key"
expect_rc 0 "$LLMOPS" --store "$S" report
lacks "$T/err" "admin.key"
t rc-store
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set store = $S
set window = 30d
EOF
expect_rc 0 "$LLMOPS" report --json
eq "$(json "$T/out" "d['total']['calls']")" 8
t env-store-beats-rc
LLMOPS_STORE="$T/stdin.db" "$LLMOPS" report --json --since 30d >"$T/out" 2>&1
eq "$(json "$T/out" "d['total']['calls']")" 3
t explicit-rc-missing
expect_rc 0 "$LLMOPS" -c "$T/missing.rc" --store "$S" report
has "$T/err" "$T/missing.rc: cannot read"
t pricing-file
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set pricing_file = $T/prices.json
EOF
cat >"$T/prices.json" <<EOF
{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-3, "output_cost_per_token": 1e-3}}
EOF
echo '{"ts":"2026-11-23T11:30:00Z","model":"gpt-4o","input_tokens":10,"output_tokens":5}' >"$T/p.jsonl"
"$LLMOPS" --store "$T/priced.db" import "$T/p.jsonl" >/dev/null 2>&1
"$LLMOPS" --store "$T/priced.db" report --json >"$T/out" 2>&1
eq "$(json "$T/out" "d['total']['cost_usd']")" 0.015
echo '{' >"$T/prices.json"
expect_rc 0 "$LLMOPS" --store "$T/priced.db" report
has "$T/err" "$T/prices.json: line 1: malformed JSON (built-in prices used)"
t rc-hostile-files
# Only regular files are read: /dev/zero and a FIFO nobody writes to are
# refused at once (before, the first ran out of memory, the second hung).
mkfifo "$T/fifo"
printf '\357\273\277set window = 30d\nsource /dev/zero\nsource %s\nsource missing.rc\nsource self.rc\n' "$T/fifo" >"$T/self.rc"
printf 'source self.rc\nsource self.rc\nset pricing_file = /dev/zero\n' >>"$T/self.rc"
expect_rc 0 "$LLMOPS" -c "$T/self.rc" --store "$S" report
has "$T/out" "8 calls" # the BOM did not hide the first line
lacks "$T/err" "U+FEFF"
has "$T/err" "llmops: $T/self.rc:2: source /dev/zero: cannot read: not a regular file"
has "$T/err" "llmops: $T/self.rc:3: source $T/fifo: cannot read: not a regular file"
has "$T/err" "llmops: $T/self.rc:4: source $T/missing.rc: cannot read: No such file or directory"
has "$T/err" "llmops: $T/self.rc:5: source $T/self.rc: already being read (it sources itself)"
has "$T/err" "llmops: /dev/zero: cannot read the pricing file: not a regular file"
rm -f "$T/fifo"
head -c 2000000 /dev/zero | tr '\0' '#' >"$T/big.rc"
echo "source big.rc" >"$T/outer.rc"
expect_rc 0 "$LLMOPS" -c "$T/outer.rc" --store "$S" report
has "$T/err" "llmops: $T/outer.rc:1: source $T/big.rc: cannot read: larger than 1 MiB"

rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"
