// Serves the app (POST /mcp, GET /healthz) on 127.0.0.1 for bench/analyze.mjs, and, as the
// reference, POST /whole: the text of the body analyzed by whole-text segmentation, synchronously
// (how analyze_text worked before it segmented in pieces). Prints {"port": n, "maxTextLength": n} once listening.
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { createApp } from '../app/createApp';
import { analyzeWhole, MAX_TEXT_LENGTH } from '../app/servers/text/tools/analyzeText';
import text from '../app/servers/text';

const app = express();
app.post('/whole', express.json({ limit: '10mb' }), (req, res) => {
  res.json(analyzeWhole(String(req.body.text)));
});
app.use(createApp({ name: 'text', definition: text }, { responseMode: 'json', logger: pino({ level: 'silent' }) }));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, maxTextLength: MAX_TEXT_LENGTH })}\n`);
});
// The reference blocks the process for seconds: keep the client's idle connections open meanwhile.
server.keepAliveTimeout = 120_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
