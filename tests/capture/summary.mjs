// Prints, per capture folder, where each field was found in the spans (the "emitted" notes of
// expected.json folded over all requests) and for how many requests it was missing: the raw
// material of a "which library gives which field" table.
//
// Usage: node summary.mjs CAPTURED_DIR
import fs from 'node:fs';
import path from 'node:path';

const base = process.argv[2];
for (const lib of fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'expected.json'))).sort()) {
	const e = JSON.parse(fs.readFileSync(path.join(base, lib, 'expected.json'), 'utf8'));
	const agg = {};
	for (const x of e)
		for (const [k, v] of Object.entries(x.emitted)) {
			if (!Array.isArray(v) || k === 'spans')
				continue;
			agg[k] ??= { keys: new Set(), missing: 0, n: 0 };
			agg[k].n++;
			if (!v.length)
				agg[k].missing++;
			for (const h of v)
				agg[k].keys.add(h.replace(/^[^:]*: /, '').replace(/>\d+(?=>|$)/g, '>N'));
		}
	console.log(`== ${lib}: ${e.length} requests, ${e.filter((x) => x.stream).length} streaming, TTFT recorded for ${e.filter((x) => x.ttft_recorded).length}`);
	for (const [k, a] of Object.entries(agg))
		console.log(`  ${k}: missing for ${a.missing}/${a.n}${a.keys.size ? '; ' + [...a.keys].slice(0, 6).join(' | ') : ''}`);
}
