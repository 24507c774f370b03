// An OTLP/HTTP receiver that keeps every export body exactly as it arrived.
//
// Usage: node receiver.mjs OUT_DIR PORT_FILE
// Listens on 127.0.0.1 (a free port, written to PORT_FILE). An exporter pointed at
// http://127.0.0.1:PORT/LIB/v1/traces (or /v1/logs) has its bodies written under OUT_DIR/LIB/:
// JSON bodies one per line in traces.jsonl / logs.jsonl (the Collector file exporter's layout),
// protobuf bodies in traces.pb / logs.pb, each prefixed by its length as a varint (protobuf's
// delimited form). Empty success responses are answered in the same encoding.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [outDir, portFile] = process.argv.slice(2);
if (!outDir || !portFile) {
	console.error('usage: node receiver.mjs OUT_DIR PORT_FILE');
	process.exit(2);
}

function varint(n) {
	const out = [];
	while (n > 0x7f) {
		out.push((n & 0x7f) | 0x80);
		n >>>= 7;
	}
	out.push(n);
	return Buffer.from(out);
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		let body = Buffer.concat(chunks);
		if ((req.headers['content-encoding'] || '') === 'gzip')
			body = zlib.gunzipSync(body);
		const parts = req.url.split('/').filter(Boolean);
		const signal = parts[parts.length - 1];
		const lib = parts.length >= 3 ? decodeURIComponent(parts[0]) : 'unknown';
		if (req.method !== 'POST' || (signal !== 'traces' && signal !== 'logs' && signal !== 'metrics')) {
			res.writeHead(404);
			res.end();
			return;
		}
		const type = (req.headers['content-type'] || '').split(';')[0].trim();
		const dir = path.join(outDir, lib);
		fs.mkdirSync(dir, { recursive: true });
		if (type === 'application/json') {
			if (body.includes(0x0a))
				console.error(`receiver: ${lib}/${signal}: JSON body holds a newline; jsonl line is not one body`);
			fs.appendFileSync(path.join(dir, signal + '.jsonl'), Buffer.concat([body, Buffer.from('\n')]));
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{}');
		} else if (type === 'application/x-protobuf') {
			fs.appendFileSync(path.join(dir, signal + '.pb'), Buffer.concat([varint(body.length), body]));
			res.writeHead(200, { 'content-type': 'application/x-protobuf' });
			res.end();
		} else {
			console.error(`receiver: ${lib}/${signal}: unexpected content-type ${type}`);
			res.writeHead(415);
			res.end();
		}
	});
});
server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(portFile, String(server.address().port));
});
