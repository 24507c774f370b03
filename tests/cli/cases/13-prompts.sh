# The prompt registry: versions added, listed and diffed, from files and a git folder.
t prompt-add
P="$T/prompts.db"
printf 'You are a support agent.\nBe brief.\nCite the order id.\n' >"$T/v1.txt"
printf 'You are a friendly support agent.\nBe brief.\nCite the order id.\nNever promise refunds.\n' >"$T/v2.txt"
expect_rc 0 "$LLMOPS" --store "$P" prompt add support "$T/v1.txt"
has "$T/out" "added support@1"
expect_rc 0 "$LLMOPS" prompt add support "$T/v2.txt" --store "$P"
has "$T/out" "added support@2"
expect_rc 0 "$LLMOPS" prompt add support "$T/v2.txt" --store "$P"
has "$T/out" "same as version 2; nothing added"
expect_rc 0 "$LLMOPS" prompt add --version beta support "$T/v1.txt" --store "$P"
has "$T/out" "added support@beta"
expect_rc 1 "$LLMOPS" prompt add support "$T/missing.txt" --store "$P"
has "$T/err" "missing.txt: No such file"
t prompt-list
expect_rc 0 "$LLMOPS" --store "$P" prompt list
has "$T/out" "PROMPT"
eq "$(awk '$1 == "support" {print $2}' "$T/out" | tr '\n' ' ')" "beta 2 1 "
expect_rc 0 "$LLMOPS" --store "$P" prompt list support
expect_rc 1 "$LLMOPS" --store "$P" prompt list nosuch
has "$T/err" "llmops: no prompt named 'nosuch'"
t prompt-diff
expect_rc 0 "$LLMOPS" --store "$P" prompt diff support 1 2
has "$T/out" "--- support@1"
has "$T/out" "+++ support@2"
has "$T/out" "@@ -1,3 +1,4 @@"
cp "$T/out" "$T/d.patch"
if patch -s -o "$T/patched.txt" "$T/v1.txt" <"$T/d.patch" && cmp -s "$T/patched.txt" "$T/v2.txt"; then ok; else bad "patch did not give v2"; fi
expect_rc 1 "$LLMOPS" --store "$P" prompt diff support 1 9
has "$T/err" "llmops: prompt 'support' has no version '9'"
expect_rc 1 "$LLMOPS" --store "$P" prompt diff nosuch 1 2
has "$T/err" "no prompt named 'nosuch'"
t prompt-usage
expect_rc 2 "$LLMOPS" --store "$P" prompt
expect_rc 2 "$LLMOPS" --store "$P" prompt frob
expect_rc 2 "$LLMOPS" --store "$P" prompt diff support 1
expect_rc 2 "$LLMOPS" --store "$P" prompt list --version 3
expect_rc 0 "$LLMOPS" --version
has "$T/out" "llmops 0."
t prompt-git-folder
mkdir -p "$T/repo/prompts"
(
	cd "$T/repo" && git init -q . &&
	for i in 1 2 3; do
		echo "rule $i" >>prompts/triage.txt && git add prompts/triage.txt &&
		git -c user.name=t -c user.email=t@t commit -qm "rule $i" || exit 1
	done
) >/dev/null 2>&1 || bad "git repo set-up failed"
printf 'prompts %s\n' "$T/repo/prompts" >"$T/prompts.rc"
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt list triage
eq "$(awk '$1 == "triage" && $3 == "git"' "$T/out" | wc -l | tr -d ' ')" 3
v_new=$(awk '$1 == "triage" {print $2; exit}' "$T/out")
v_old=$(awk '$1 == "triage" {v = $2} END {print v}' "$T/out")
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt diff triage "$v_old" "$v_new"
has "$T/out" "+rule 3"
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt list triage
eq "$(awk '$1 == "triage"' "$T/out" | wc -l | tr -d ' ')" 3
t prompt-demo-stats
"$LLMOPS" demo --store "$T/demo.db" --no-tui --calls 20000 >/dev/null 2>&1
expect_rc 0 "$LLMOPS" --store "$T/demo.db" prompt list support-answer
eq "$(awk '$1 == "support-answer" && $2 == "6" {gsub(",", "", $(NF-4)); print ($(NF-4) > 0)}' "$T/out")" 1
eq "$(awk '$1 == "support-answer" && $2 == "8" {gsub(",", "", $(NF-4)); print ($(NF-4) > 0)}' "$T/out")" 1
# Newest first seen on top, across prompts: the incident's deploy heads the
# list, marked as worse than the version before it; the versions before it not.
expect_rc 0 "$LLMOPS" --store "$T/demo.db" prompt list
eq "$(sed -n 2p "$T/out" | awk '{print $1, $2, $NF}')" "support-answer 8 regressed"
eq "$(awk '$1 == "support-answer" && $2 == "7" {print $NF}' "$T/out")" "ok"
eq "$(awk '$1 == "support-answer" && $2 == "6" {print $NF}' "$T/out")" "-"
has "$T/out" "VS BEFORE"
expect_rc 0 "$LLMOPS" --store "$T/demo.db" prompt diff support-answer 7 8
has "$T/out" "--- support-answer@7"
