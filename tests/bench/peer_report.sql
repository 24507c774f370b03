-- The other peer of make bench: sqlite3 alone, loading the JSONL a line a row
-- with .import and answering with its JSON functions (the same report as
-- peer_report.py: by model, each id once, p95 by nearest rank).
-- Run as: sqlite3 :memory: -cmd ".mode ascii" -cmd ".separator \"\x1f\" \"\n\"" -cmd ".import FILE raw" < this
CREATE TEMP TABLE prices(family TEXT PRIMARY KEY, inp REAL, cached REAL, outp REAL);
INSERT INTO prices VALUES('claude-sonnet-4-5', 3.00, 0.30, 15.00), ('claude-haiku-4-5', 1.00, 0.10, 5.00),
	('gpt-4o', 2.50, 1.25, 10.00), ('gpt-4o-mini', 0.15, 0.075, 0.60), ('gpt-4.1-mini', 0.40, 0.10, 1.60),
	('gemini-2.5-flash', 0.30, 0.03, 2.50), ('text-embedding-3-small', 0.02, 0.02, 0.0);
CREATE TEMP TABLE calls AS
	SELECT json_extract(line, '$.model') AS model, json_extract(line, '$.status') = 'error' AS err,
	       coalesce(json_extract(line, '$.input_tokens'), 0) AS i, coalesce(json_extract(line, '$.cached_tokens'), 0) AS c,
	       coalesce(json_extract(line, '$.output_tokens'), 0) AS o, json_extract(line, '$.latency_ms') AS lat
	FROM (SELECT line FROM raw GROUP BY json_extract(line, '$.trace_id'), json_extract(line, '$.span_id'));
CREATE TEMP TABLE priced AS
	SELECT calls.*, (SELECT ((i - c) * inp + c * cached + o * outp) / 1e6 FROM prices
			 WHERE calls.model = family OR calls.model LIKE family || '-%' ORDER BY length(family) DESC LIMIT 1) AS cost
	FROM calls;
.mode list
.separator " "
SELECT model, count(*), sum(err), sum(i), sum(o), printf('%.2f', sum(cost)),
       (SELECT lat FROM (SELECT lat, row_number() OVER (ORDER BY lat) AS rn, count(*) OVER () AS n
			 FROM priced p2 WHERE p2.model = p.model AND lat IS NOT NULL) WHERE rn = max(1, (n * 95 + 99) / 100))
FROM priced p GROUP BY model ORDER BY sum(cost) DESC;
