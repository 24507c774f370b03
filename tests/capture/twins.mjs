// Checks that traces.pb (length-delimited ExportTraceServiceRequest messages) and traces.jsonl
// of one capture folder hold the same spans (span id and name), and logs.pb / logs.jsonl the
// same number of log records. A small protobuf wire reader: only the fields needed.
//
// Usage: node twins.mjs LIB_DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];

function varint(buf, pos) {
	let v = 0n, shift = 0n;
	for (;;) {
		const b = buf[pos++];
		v |= BigInt(b & 0x7f) << shift;
		if (!(b & 0x80))
			return [v, pos];
		shift += 7n;
	}
}

// Calls fn(field, wiretype, value) for each field of one message; LEN values are subarrays.
function fields(buf, fn) {
	let pos = 0;
	while (pos < buf.length) {
		let key;
		[key, pos] = varint(buf, pos);
		const field = Number(key >> 3n), wt = Number(key & 7n);
		if (wt === 0) {
			let v;
			[v, pos] = varint(buf, pos);
			fn(field, wt, v);
		} else if (wt === 1) {
			fn(field, wt, buf.subarray(pos, pos + 8));
			pos += 8;
		} else if (wt === 5) {
			fn(field, wt, buf.subarray(pos, pos + 4));
			pos += 4;
		} else if (wt === 2) {
			let n;
			[n, pos] = varint(buf, pos);
			fn(field, wt, buf.subarray(pos, pos + Number(n)));
			pos += Number(n);
		} else {
			throw new Error(`wire type ${wt} at ${pos}`);
		}
	}
}

function delimited(file) {
	const buf = fs.readFileSync(file);
	const out = [];
	let pos = 0;
	while (pos < buf.length) {
		let n;
		[n, pos] = varint(buf, pos);
		out.push(buf.subarray(pos, pos + Number(n)));
		pos += Number(n);
	}
	return out;
}

// ExportTraceServiceRequest.resource_spans(1) > ResourceSpans.scope_spans(2) > ScopeSpans.spans(2)
// > Span.span_id(2), Span.name(5)
function pbSpans(file) {
	const spans = [];
	for (const msg of delimited(file))
		fields(msg, (f, wt, rs) => f === 1 && fields(rs, (f2, wt2, ss) => f2 === 2 && fields(ss, (f3, wt3, sp) => {
			if (f3 !== 2)
				return;
			let id = '', name = '';
			fields(sp, (f4, wt4, v) => {
				if (f4 === 2) id = Buffer.from(v).toString('hex');
				if (f4 === 5) name = Buffer.from(v).toString('utf8');
			});
			spans.push(`${id} ${name}`);
		})));
	return spans;
}

// ExportLogsServiceRequest.resource_logs(1) > ResourceLogs.scope_logs(2) > ScopeLogs.log_records(2)
function pbLogCount(file) {
	let n = 0;
	for (const msg of delimited(file))
		fields(msg, (f, wt, rl) => f === 1 && fields(rl, (f2, wt2, sl) => f2 === 2 && fields(sl, (f3) => { if (f3 === 2) n++; })));
	return n;
}

const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
let ok = true;
const tj = path.join(dir, 'traces.jsonl'), tp = path.join(dir, 'traces.pb');
if (fs.existsSync(tj) && fs.existsSync(tp)) {
	const js = lines(tj).flatMap((b) => (b.resourceSpans || []).flatMap((rs) => (rs.scopeSpans || []).flatMap((ss) =>
		(ss.spans || []).map((s) => `${s.spanId} ${s.name}`))));
	const pb = pbSpans(tp);
	const a = [...js].sort().join('\n'), b = [...pb].sort().join('\n');
	if (a !== b) {
		ok = false;
		console.error(`${path.basename(dir)}: traces.pb (${pb.length} spans) and traces.jsonl (${js.length} spans) differ`);
	} else {
		console.log(`${path.basename(dir)}: twins: ${js.length} spans in traces.jsonl and traces.pb`);
	}
}
const lj = path.join(dir, 'logs.jsonl'), lp = path.join(dir, 'logs.pb');
if (fs.existsSync(lj) && fs.existsSync(lp)) {
	const js = lines(lj).reduce((n, b) => n + (b.resourceLogs || []).reduce((m, rl) => m + (rl.scopeLogs || [])
		.reduce((k, sl) => k + (sl.logRecords || []).length, 0), 0), 0);
	const pb = pbLogCount(lp);
	if (js !== pb) {
		ok = false;
		console.error(`${path.basename(dir)}: logs.pb (${pb}) and logs.jsonl (${js}) log records differ`);
	} else {
		console.log(`${path.basename(dir)}: twins: ${js} log records in logs.jsonl and logs.pb`);
	}
}
process.exit(ok ? 0 : 1);
