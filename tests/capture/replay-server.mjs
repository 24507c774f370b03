// Replays recorded provider responses to the official OpenAI and Anthropic clients.
//
// Usage: node replay-server.mjs CORPUS_DIR OUT_DIR PORT_FILE
// Listens on 127.0.0.1 (a free port, written to PORT_FILE). A client's base URL is
// http://127.0.0.1:PORT/LIB (Anthropic) or http://127.0.0.1:PORT/LIB/v1 (OpenAI); every request
// is logged to OUT_DIR/LIB/requests.jsonl so that the expected values can be derived from the
// very bodies that were served.
//
// The response is chosen by a marker "[cap:KEY:N]" in the request body: KEY names one of the
// responses below, N numbers the call within the capture script. A request carrying a tool result
// (a second agent step) is answered with KEY's "after_tool" response.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [corpus, outDir, portFile] = process.argv.slice(2);
if (!corpus || !outDir || !portFile) {
	console.error('usage: node replay-server.mjs CORPUS_DIR OUT_DIR PORT_FILE');
	process.exit(2);
}

const oa = (n) => `openai/otelcontrib_${n}`;
const an = (n) => `anthropic/openllmetry_anthropic_${n}`;

// Recorded bodies; "json" answers stream=false, "sse" answers stream=true.
const RECORDED = {
	openai_chat: { json: oa('chat_completion_nonstreaming') },
	openai_stream: { sse: oa('chat_completion_streaming_include_usage') },
	openai_tools: { sse: oa('chat_completion_tools_streaming'),
		after_tool: 'openai_stream' },
	openai_404: { json: oa('chat_completion_404_error') },
	anthropic_stream: { sse: an('message_streaming') },
	anthropic_cache_read: { json: an('prompt_caching_nonstreaming_read'),
		sse: an('prompt_caching_stream_read') },
	anthropic_cache_write: { sse: an('prompt_caching_stream_write') },
	anthropic_thinking: { sse: an('thinking_streaming') },
	anthropic_tools: { json: an('tools_nonstreaming'), sse: an('tools_streaming'),
		after_tool: 'anthropic_cache_read' },
};

// Errors in the providers' documented error formats (no recording of these exists).
const OPENAI_ERR = (message, type, param, code) =>
	JSON.stringify({ error: { message, type, param, code } }, null, 2);
const ANTHROPIC_ERR = (type, message) =>
	JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011CapReplay0000000000000' });
const ERRORS = {
	openai_429: { status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req_cap429' },
		body: OPENAI_ERR('Rate limit reached for gpt-4o-mini in organization org-capture on tokens per min (TPM): Limit 200000, Used 199912, Requested 1024. Please try again in 1.146s. Visit https://platform.openai.com/account/rate-limits to learn more.', 'tokens', null, 'rate_limit_exceeded') },
	openai_400ctx: { status: 400, headers: { 'x-request-id': 'req_cap400' },
		body: OPENAI_ERR("This model's maximum context length is 128000 tokens. However, your messages resulted in 130012 tokens. Please reduce the length of the messages.", 'invalid_request_error', 'messages', 'context_length_exceeded') },
	anthropic_429: { status: 429, headers: { 'retry-after': '2', 'request-id': 'req_cap429' },
		body: ANTHROPIC_ERR('rate_limit_error', 'This request would exceed the rate limit for your organization of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.') },
	anthropic_404: { status: 404, headers: { 'request-id': 'req_cap404' },
		body: ANTHROPIC_ERR('not_found_error', 'model: claude-does-not-exist') },
	anthropic_400ctx: { status: 400, headers: { 'request-id': 'req_cap400' },
		body: ANTHROPIC_ERR('invalid_request_error', 'prompt is too long: 210012 tokens > 200000 maximum') },
	anthropic_529: { status: 529, headers: { 'request-id': 'req_cap529' },
		body: ANTHROPIC_ERR('overloaded_error', 'Overloaded') },
};

const SKIP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'content-encoding',
	'date', 'alt-svc', 'set-cookie']);

function recorded(file) {
	const meta = JSON.parse(fs.readFileSync(path.join(corpus, file + '.meta.json'), 'utf8'));
	const body = fs.readFileSync(path.join(corpus, file + '.response_body.txt'));
	const headers = {};
	for (const [k, v] of Object.entries(meta.response.headers || {}))
		if (!SKIP_HEADERS.has(k.toLowerCase()))
			headers[k.toLowerCase()] = v[0];
	return { status: meta.response.status.code, headers, body, file };
}

function choose(key, stream, afterTool) {
	if (ERRORS[key])
		return { ...ERRORS[key], headers: { 'content-type': 'application/json', ...ERRORS[key].headers },
			file: 'synthesized:' + key };
	let r = RECORDED[key];
	if (!r)
		return null;
	if (afterTool && r.after_tool) {
		key = r.after_tool;
		r = RECORDED[key];
	}
	const file = stream ? r.sse : r.json;
	if (!file)
		return { status: 500, headers: { 'content-type': 'application/json' }, file: 'none',
			body: JSON.stringify({ error: { message: `replay: no ${stream ? 'streaming' : 'JSON'} recording for ${key}` } }) };
	return recorded(file);
}

// Traceloop's prompt registry (GET BASE/v1/traceloop/prompts), served so that a managed prompt
// with variables can be used without the hosted service. Layout as the SDK reads it.
const TRACELOOP_PROMPTS = {
	environment: 'dev',
	prompts: [{
		id: 'prompt-capture-1', key: 'support_reply', created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z',
		target: { id: 'target-1', environment: 'dev', version: 'version-3' },
		versions: [{
			id: 'version-3', hash: 'c0ffee3', version: 3, name: 'polite-v3', created_at: '2026-12-01T00:00:00Z',
			provider: 'anthropic', templating_engine: 'jinja2',
			messages: [
				{ index: 0, role: 'system', template: 'You answer for the support team of {{ product }}.', variables: ['product'] },
				{ index: 1, role: 'user', template: '{{ marker }} {{ customer }} asks: {{ question }}', variables: ['marker', 'customer', 'question'] },
			],
			llm_config: { mode: 'chat', model: 'claude-3-5-sonnet-20240620', temperature: 0.2, top_p: 1, stop: [],
				max_tokens: 1024, frequency_penalty: 0, presence_penalty: 0 },
		}],
	}],
};

// Langfuse prompt management (GET BASE/api/public/v2/prompts/NAME), one chat prompt.
const LANGFUSE_PROMPT = {
	id: 'lf-prompt-capture-1', name: 'support-reply', version: 4, type: 'chat',
	prompt: [
		{ role: 'system', content: 'You answer for the support team of {{product}}.' },
		{ role: 'user', content: '{{marker}} {{customer}} asks: {{question}}' },
	],
	config: { model: 'gpt-4o-mini', temperature: 0.2 }, labels: ['production', 'latest'], tags: ['support'],
	commitMessage: null, resolutionGraph: null,
};

const server = http.createServer((req, res) => {
	if (req.method === 'GET' && /\/api\/public\/v2\/prompts\/support-reply(\?|$)/.test(req.url)) {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(LANGFUSE_PROMPT));
		return;
	}
	if (req.method === 'GET' && req.url.endsWith('/v1/traceloop/prompts')) {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(TRACELOOP_PROMPTS));
		return;
	}
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const received = Date.now();
		const raw = Buffer.concat(chunks).toString('utf8');
		const lib = decodeURIComponent(req.url.split('/')[1] || 'unknown');
		let body = {};
		try { body = JSON.parse(raw); } catch { /* logged below as unparsable */ }
		const m = /\[cap:([a-z0-9_]+):(\d+)\]/.exec(raw);
		const afterTool = /"role":\s*"tool"|"type":\s*"tool_result"/.test(raw);
		const r = m ? choose(m[1], body.stream === true, afterTool) : null;
		const out = r || { status: 400, headers: { 'content-type': 'application/json' }, file: 'none',
			body: JSON.stringify({ error: { message: 'replay: no [cap:KEY:N] marker or unknown KEY' } }) };
		const dir = path.join(outDir, lib);
		fs.mkdirSync(dir, { recursive: true });
		fs.appendFileSync(path.join(dir, 'requests.jsonl'), JSON.stringify({
			received_ms: received, path: req.url.slice(lib.length + 1), key: m ? m[1] : null,
			call: m ? Number(m[2]) : null, after_tool: afterTool, stream: body.stream === true,
			request_model: body.model ?? null, status: out.status, served: out.file,
			traceparent: req.headers.traceparent ?? null,
		}) + '\n');
		res.writeHead(out.status, out.headers);
		res.end(out.body);
	});
});
server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(portFile, String(server.address().port));
});
