// Derives expected.json and spans.txt for one capture folder.
//
// Usage: node expected.mjs CORPUS_DIR LIB_DIR
// The expected values come from the response bodies the replay server served (their usage
// fields), one entry per provider request (requests.jsonl), joined with what the script said
// each call was (calls.json). The "emitted" notes come from the captured spans themselves
// (traces.jsonl): a field counts as emitted when a span that was open while the request was
// served carries its value, and the note names the span and attribute.
import fs from 'node:fs';
import path from 'node:path';

const [corpus, dir] = process.argv.slice(2);
const readLines = (f) => fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
const requests = readLines(path.join(dir, 'requests.jsonl')).map((l) => JSON.parse(l));
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'calls.json'), 'utf8'));
const byCall = new Map(manifest.calls.map((c) => [c.call, c]));

// ---- the served bodies ----

function parseSse(text) {
	const events = [];
	for (const block of text.split(/\r?\n\r?\n/)) {
		const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
		if (!data || data === '[DONE]')
			continue;
		events.push(JSON.parse(data));
	}
	return events;
}

function openaiFacts(body, stream) {
	let model = null, usage = null, text = '', tools = [];
	const msgs = stream ? parseSse(body) : [JSON.parse(body)];
	for (const m of msgs) {
		model = m.model || model;
		if (m.usage)
			usage = m.usage;
		for (const ch of m.choices || []) {
			const part = stream ? ch.delta : ch.message;
			if (part?.content)
				text += part.content;
			for (const tc of part?.tool_calls || [])
				if (tc.function?.name)
					tools.push(tc.function.name);
		}
	}
	return {
		model,
		input_tokens: usage?.prompt_tokens ?? null,
		cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
		output_tokens: usage?.completion_tokens ?? null,
		text, tools, thinking: null,
	};
}

function anthropicFacts(body, stream) {
	let msg;
	let text = '', thinking = '', tools = [];
	let usage = {};
	if (stream) {
		for (const e of parseSse(body)) {
			if (e.type === 'message_start') {
				msg = e.message;
				usage = { ...e.message.usage };
			} else if (e.type === 'message_delta' && e.usage) {
				Object.assign(usage, e.usage);
			} else if (e.type === 'content_block_start' && e.content_block.type === 'tool_use') {
				tools.push(e.content_block.name);
			} else if (e.type === 'content_block_delta') {
				if (e.delta.type === 'text_delta')
					text += e.delta.text;
				if (e.delta.type === 'thinking_delta')
					thinking += e.delta.thinking;
			}
		}
	} else {
		msg = JSON.parse(body);
		usage = msg.usage;
		for (const b of msg.content) {
			if (b.type === 'text')
				text += b.text;
			if (b.type === 'thinking')
				thinking += b.thinking;
			if (b.type === 'tool_use')
				tools.push(b.name);
		}
	}
	const read = usage.cache_read_input_tokens ?? 0, write = usage.cache_creation_input_tokens ?? 0;
	return {
		model: msg.model,
		input_tokens: usage.input_tokens + read + write,
		uncached_input_tokens: usage.input_tokens,
		cached_tokens: read,
		cache_write_tokens: write,
		output_tokens: usage.output_tokens,
		text, tools, thinking: thinking || null,
	};
}

function errorType(status, body) {
	if (status === 429)
		return 'rate_limit';
	if (status === 404)
		return 'not_found';
	if (status === 529)
		return 'overloaded';
	if (status === 401 || status === 403)
		return 'auth';
	if (status === 400 && /context_length_exceeded|prompt is too long|context_length/.test(body))
		return 'context_length';
	if (status === 400)
		return 'bad_request';
	if (status === 408)
		return 'timeout';
	return 'server_error';
}

// A recognisable piece of the answer: its first words, short enough to survive truncation.
const snippet = (s) => s ? s.trim().split(/\s+/).slice(0, 4).join(' ') : null;

// ---- the captured spans ----

const nanos = (v) => Number(BigInt(v) / 1000n) / 1000;	// ms, fractional
function anyValue(v) {
	if (!v)
		return null;
	if ('stringValue' in v) return v.stringValue;
	if ('intValue' in v) return Number(v.intValue);
	if ('doubleValue' in v) return v.doubleValue;
	if ('boolValue' in v) return v.boolValue;
	if ('arrayValue' in v) return (v.arrayValue.values || []).map(anyValue);
	if ('kvlistValue' in v) return Object.fromEntries((v.kvlistValue.values || []).map((kv) => [kv.key, anyValue(kv.value)]));
	return null;
}

const spans = [];
for (const line of readLines(path.join(dir, 'traces.jsonl'))) {
	for (const rs of JSON.parse(line).resourceSpans || [])
		for (const ss of rs.scopeSpans || [])
			for (const s of ss.spans || [])
				spans.push({
					name: s.name, scope: ss.scope?.name || '', trace: s.traceId, id: s.spanId,
					parent: s.parentSpanId || '', start: nanos(s.startTimeUnixNano), end: nanos(s.endTimeUnixNano),
					status: s.status?.code || 0, statusMessage: s.status?.message || '',
					attrs: Object.fromEntries((s.attributes || []).map((a) => [a.key, anyValue(a.value)])),
					events: (s.events || []).map((e) => ({ name: e.name,
						attrs: Object.fromEntries((e.attributes || []).map((a) => [a.key, anyValue(a.value)])) })),
				});
}

// Log records (some libraries put message content there) count as events of their span.
const bySpanId = new Map(spans.map((s) => [s.id, s]));
for (const line of readLines(path.join(dir, 'logs.jsonl'))) {
	for (const rl of JSON.parse(line).resourceLogs || [])
		for (const sl of rl.scopeLogs || [])
			for (const lr of sl.logRecords || []) {
				const attrs = Object.fromEntries((lr.attributes || []).map((a) => [a.key, anyValue(a.value)]));
				const s = bySpanId.get(lr.spanId);
				if (s)
					s.events.push({ name: `log ${attrs['event.name'] || lr.eventName || ''}`.trim(), attrs: { ...attrs, body: anyValue(lr.body) } });
			}
}

// Attribute values, with JSON strings opened up so that usage_details and message lists count.
function flat(attrs, prefix = '', out = []) {
	for (const [k, v] of Object.entries(attrs)) {
		const key = prefix ? `${prefix}>${k}` : k;
		let val = v;
		if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
			try { val = JSON.parse(v); } catch { /* a plain string */ }
		}
		if (val && typeof val === 'object')
			flat(val, key, out);
		else
			out.push([key, val]);
	}
	return out;
}

const where = (s, key) => `${s.name}: ${key}`;
function findValue(covering, pred) {
	const hits = [];
	for (const s of covering) {
		for (const [k, v] of flat(s.attrs))
			if (pred(k, v))
				hits.push(where(s, k));
		for (const e of s.events)
			for (const [k, v] of flat(e.attrs))
				if (pred(k, v))
					hits.push(where(s, `event ${e.name}: ${k}`));
	}
	return [...new Set(hits)];
}

const TOKEN_KEY = /token|usage|input|output|cache|prompt|completion/i;
const isNum = (x) => typeof x === 'number';
// A string value carries the text when it contains it, or its JSON form does (escaped quotes).
const hasText = (v, t) => typeof v === 'string' && t && (v.includes(t) || v.includes(JSON.stringify(t).slice(1, -1)));

const expected = [];
for (const r of requests) {
	const c = byCall.get(r.call) || {};
	const provider = r.path.endsWith('/messages') ? 'anthropic' : 'openai';
	const e = {
		call: r.call,
		scenario: r.after_tool ? `${c.scenario}_after_tool` : c.scenario,
		user_text: c.user_text,
		provider,
		stream: r.stream,
		served: r.served,
		request_model: r.request_model,
	};
	const ok = r.status >= 200 && r.status < 300;
	if (ok) {
		const body = fs.readFileSync(path.join(corpus, r.served + '.response_body.txt'), 'utf8');
		const f = provider === 'openai' ? openaiFacts(body, r.stream) : anthropicFacts(body, r.stream);
		Object.assign(e, {
			model: f.model, input_tokens: f.input_tokens, cached_tokens: f.cached_tokens,
			output_tokens: f.output_tokens, status: 'ok', error_type: null,
		});
		if (provider === 'anthropic') {
			e.uncached_input_tokens = f.uncached_input_tokens;
			e.cache_write_tokens = f.cache_write_tokens;
		}
		e.answer_contains = snippet(f.text);
		e.tool_calls = f.tools;
		e.thinking = !!f.thinking;
		e._thinking = snippet(f.thinking);
	} else {
		const body = r.served.startsWith('synthesized:') ? '' : fs.readFileSync(path.join(corpus, r.served + '.response_body.txt'), 'utf8');
		Object.assign(e, {
			model: r.request_model, model_note: 'no response body model: the request model',
			input_tokens: null, cached_tokens: null, output_tokens: null,
			status: 'error', http_status: r.status,
			error_type: errorType(r.status, body + r.served + (c.scenario || '')),
			answer_contains: null, tool_calls: [], thinking: false,
		});
	}
	for (const k of ['prompt_name', 'prompt_version', 'variables', 'feature', 'user', 'session'])
		if (c[k] !== undefined)
			e[k] = c[k];
	if (c.client_error)
		e.client_error = c.client_error;

	// Spans of the call: those that overlap the call (from the script's announcing it to the
	// client's return) for at least half of the shorter of the two, innermost (latest start) first,
	// each named with its trace. Half, because span start times are whole milliseconds of another
	// clock, so that a neighbour call's span may touch the window by a millisecond or two.
	const tp = r.traceparent ? r.traceparent.split('-')[1] : null;
	const overlap = (s) => Math.min(s.end, c.t_end_ms) - Math.max(s.start, c.t_start_ms);
	const covering = spans.filter((s) => overlap(s) > 0 &&
		overlap(s) >= 0.5 * Math.min(s.end - s.start, c.t_end_ms - c.t_start_ms))
		.sort((a, b) => b.start - a.start);
	const em = {};
	em.spans = covering.map((s) => `${s.name} [${s.scope}] trace ${s.trace.slice(0, 8)}${s.parent ? '' : ' (root)'}`);
	if (r.traceparent)
		em.traceparent_sent = `trace ${tp.slice(0, 8)}${covering.some((s) => s.trace === tp) ? '' : ' (not exported)'}`;
	em.model = e.model ? findValue(covering, (k, v) => v === e.model) : [];
	em.request_model = findValue(covering, (k, v) => v === r.request_model);
	if (e.input_tokens != null) {
		em.input_tokens = findValue(covering, (k, v) => isNum(v) && v === e.input_tokens && TOKEN_KEY.test(k));
		if (e.uncached_input_tokens != null && e.uncached_input_tokens !== e.input_tokens)
			em.uncached_input_tokens = findValue(covering, (k, v) => isNum(v) && v === e.uncached_input_tokens && TOKEN_KEY.test(k));
		if (e.cached_tokens)
			em.cached_tokens = findValue(covering, (k, v) => isNum(v) && v === e.cached_tokens && TOKEN_KEY.test(k));
		if (e.cache_write_tokens)
			em.cache_write_tokens = findValue(covering, (k, v) => isNum(v) && v === e.cache_write_tokens && TOKEN_KEY.test(k));
		em.output_tokens = findValue(covering, (k, v) => isNum(v) && v === e.output_tokens && TOKEN_KEY.test(k));
	}
	em.input_text = findValue(covering, (k, v) => hasText(v, c.user_text));
	if (e.answer_contains)
		em.answer_text = findValue(covering, (k, v) => hasText(v, e.answer_contains));
	if (e._thinking)
		em.thinking_text = findValue(covering, (k, v) => hasText(v, e._thinking));
	if (e.tool_calls.length)
		em.tool_calls = findValue(covering, (k, v) => hasText(v, e.tool_calls[0]) && !/definition|functions|tools\b|request/i.test(k));
	em.ttft = findValue(covering, (k) => /first_chunk|first_token|msToFirstChunk|completion_start_time|ttft|time_to_first/i.test(k));
	for (const s of covering)
		for (const ev of s.events)
			if (/first.?(token|chunk)/i.test(ev.name))
				em.ttft.push(`${s.name}: event ${ev.name}`);
	if (!ok) {
		em.error_status = covering.filter((s) => s.status === 2).map((s) => `${s.name}: status ERROR${s.statusMessage ? ' "' + s.statusMessage.slice(0, 80) + '"' : ''}`);
		em.http_status = findValue(covering, (k, v) => v === r.status || v === String(r.status));
		em.error_type_attrs = findValue(covering, (k) => /error|exception|level|status_message/i.test(k));
		for (const s of covering)
			for (const ev of s.events)
				if (ev.name === 'exception')
					em.error_type_attrs.push(`${s.name}: event exception: ${ev.attrs['exception.type']}: ${String(ev.attrs['exception.message']).slice(0, 80)}`);
	}
	for (const k of ['prompt_name', 'prompt_version', 'feature', 'user', 'session'])
		if (c[k] !== undefined)
			em[k] = findValue(covering, (kk, v) => v === c[k] || v === String(c[k]));
	if (c.variables)
		em.variables = Object.fromEntries(Object.entries(c.variables).map(([n, v]) => [n, findValue(covering, (kk, vv) => vv === v)]));
	e.ttft_recorded = em.ttft.length > 0;
	delete e._thinking;
	e.emitted = em;
	expected.push(e);
}
fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');

// spans.txt: every trace as an indented tree, the LLM attributes that carry the numbers.
const byId = new Map(spans.map((s) => [s.id, s]));
const kids = new Map();
for (const s of spans) {
	const p = byId.has(s.parent) ? s.parent : '';
	if (!kids.has(p)) kids.set(p, []);
	kids.get(p).push(s);
}
const lines = [];
const t0 = spans.length ? Math.min(...spans.map((s) => s.start)) : 0;
function show(s, depth) {
	const keys = Object.keys(s.attrs).filter((k) => /token|usage|model|first|error|status_code|level/i.test(k));
	lines.push(`${'  '.repeat(depth)}${s.name} [${s.scope}] +${(s.start - t0).toFixed(0)}ms ${(s.end - s.start).toFixed(0)}ms` +
		`${s.status === 2 ? ' ERROR' : ''}${s.parent && !byId.has(s.parent) ? ' (parent not exported)' : ''}  {${keys.join(', ')}}`);
	for (const k of (kids.get(s.id) || []).sort((a, b) => a.start - b.start))
		show(k, depth + 1);
}
for (const root of (kids.get('') || []).sort((a, b) => a.start - b.start)) {
	lines.push(`trace ${root.trace}`);
	show(root, 1);
}
fs.writeFileSync(path.join(dir, 'spans.txt'), lines.join('\n') + '\n');
console.log(`${path.basename(dir)}: ${requests.length} requests, ${spans.length} spans, ${kids.get('')?.length || 0} roots`);
