#!/bin/sh
# Writes the logs.db seeds of the llmdb target: the two schemas of llm's
# documentation (tests/corpus/llm_logsdb), without the full-text tables, in
# 512-byte pages, with the rows the unit tests use. Small files fuzz faster.
# Run from the repository root; needs the sqlite3 shell.
set -eu
out=tests/fuzz/seeds/llmdb
c=tests/corpus/llm_logsdb
mkdir -p "$out"
rm -f "$out/gen1.db" "$out/gen2.db"
strip_fts() { sed '/CREATE VIRTUAL TABLE/,/);/d' "$1"; }

{
	echo 'PRAGMA page_size = 512;'
	strip_fts "$c/schema_llm_0.31.1_from_docs_logging_md.sql"
	cat <<'SQL'
INSERT INTO conversations VALUES('01jm8ec74wxsdatyn5pq1fp0s4','chat','gpt-4o-mini');
INSERT INTO responses(id, model, prompt, system, response, conversation_id, duration_ms, datetime_utc,
 input_tokens, output_tokens, token_details, options_json) VALUES
('01jm8ec74wxsdatyn5pq1fp0s5','gpt-4o-mini','Summarise: the meeting','You are terse.','Done.',
 '01jm8ec74wxsdatyn5pq1fp0s4',812,'2026-01-05T10:12:33.120551+00:00',412,57,
 '{"prompt_tokens_details": {"cached_tokens": 256}}','{"temperature": 0.2}'),
('01jm8ec74wxsdatyn5pq1fp0s6','anthropic/claude-3-haiku-20240307','Hi',NULL,'Hello!',NULL,300,
 '2023-07-12 06:16:24.447785',10,3,'{"cache_read_input_tokens": 100, "cache_creation_input_tokens": 20}',NULL);
INSERT INTO tools(id, name) VALUES(1, 'lookup');
INSERT INTO tool_calls(response_id, tool_id, name, arguments) VALUES('01jm8ec74wxsdatyn5pq1fp0s5', 1, 'lookup', '{"q": 1}');
INSERT INTO fragments(id, hash, content) VALUES(1, 'h', 'the quarterly report');
INSERT INTO prompt_fragments VALUES('01jm8ec74wxsdatyn5pq1fp0s6', 1, 0);
VACUUM;
SQL
} | sqlite3 "$out/gen1.db"

{
	echo 'PRAGMA page_size = 512;'
	strip_fts "$c/schema_llm_0.32_from_docs_logging_md.sql"
	cat <<'SQL'
INSERT INTO messages VALUES('b2:01',NULL,'system',NULL), ('b2:02','b2:01','user',NULL), ('b2:03','b2:02','assistant',NULL);
INSERT INTO fragments(id, hash, content) VALUES(1, 'h', 'the quarterly report');
INSERT INTO parts(message_hash, position, type, text, payload) VALUES
('b2:01', 0, 'text', 'You summarise.', NULL),
('b2:02', 0, 'text', NULL, '{"text_ref":[{"literal":"Summarise "},{"fragment":1}]}'),
('b2:03', 0, 'reasoning', 'thinking...', NULL),
('b2:03', 1, 'text', 'Revenue grew 4%.', NULL);
INSERT INTO threads VALUES('01k2w00000000000000000000a','t','b2:03',NULL,'2026-08-04T10:00:00+00:00');
INSERT INTO turns(id, thread_id, parent_message_hash, tip_message_hash, model, resolved_model, input_tokens,
 output_tokens, duration_ms, datetime_utc) VALUES('01k2x00000000000000000000b','01k2w00000000000000000000a',
 'b2:02','b2:03','gpt-5-mini','gpt-5-mini-2025-08-07',120,30,900,'2026-08-04T10:00:01+00:00');
VACUUM;
SQL
} | sqlite3 "$out/gen2.db"
ls -l "$out"
