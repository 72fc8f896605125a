// The benchmark's like-for-like server: the one tool of the SDK's minimal stateless example
// (bench/reference/v2handler.ts), written as a server folder of this app, so that
// bench/throughput.mjs compares the app and the reference on the same work.
import { z } from 'zod';
import { defineServer, defineTool, text, toolResult } from '../../../app/mcp/define';

export const greet = defineTool({
  name: 'greet',
  title: 'Greet',
  description: 'A simple greeting tool',
  inputSchema: { name: z.string() },
  run: ({ name }) => toolResult([text(`Hello, ${name}!`)]),
});

export default defineServer({
  title: 'Greet',
  instructions: 'A greeting tool, for benchmarks.',
  tools: [greet],
});
