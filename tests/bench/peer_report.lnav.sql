-- lnav's headless SQL over the JSONL (the format in lnav_llmops.json): the same
-- report as peer_report.py, by model, each id once, p95 by nearest rank.
WITH prices(family, inp, cached, outp) AS (VALUES ('claude-sonnet-4-5', 3.00, 0.30, 15.00),
	('claude-haiku-4-5', 1.00, 0.10, 5.00), ('gpt-4o', 2.50, 1.25, 10.00), ('gpt-4o-mini', 0.15, 0.075, 0.60),
	('gpt-4.1-mini', 0.40, 0.10, 1.60), ('gemini-2.5-flash', 0.30, 0.03, 2.50), ('text-embedding-3-small', 0.02, 0.02, 0.0)),
calls AS (SELECT model, log_level = 'error' AS err, coalesce(input_tokens, 0) AS i, coalesce(cached_tokens, 0) AS c,
		 coalesce(output_tokens, 0) AS o, latency_ms AS lat FROM llmops_call GROUP BY trace_id, span_id),
priced AS (SELECT calls.*, (SELECT ((i - c) * inp + c * cached + o * outp) / 1e6 FROM prices
			    WHERE calls.model = family OR calls.model LIKE family || '-%' ORDER BY length(family) DESC LIMIT 1) AS cost
	   FROM calls),
ranked AS (SELECT model, lat, row_number() OVER (PARTITION BY model ORDER BY lat) AS rn,
		  count(*) OVER (PARTITION BY model) AS n FROM priced WHERE lat IS NOT NULL)
SELECT p.model, count(*), sum(err), sum(i), sum(o), printf('%.2f', sum(cost)),
       (SELECT lat FROM ranked r WHERE r.model = p.model AND rn = max(1, (n * 95 + 99) / 100))
FROM priced p GROUP BY p.model ORDER BY sum(cost) DESC
