import { strict as assert } from 'node:assert';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { defineTool } from '../../../app/mcp/define';

// The stateless server registers every tool again for every request (app/server.ts): what a tool's
// definition fixes is worked out once, not per request.
describe('a tool registered for each request', () => {
  const changes = { notify: () => undefined } as never;
  const registerOn = (tool: ReturnType<typeof defineTool>): RegisteredTool => {
    const server = new McpServer({ name: 't', version: '1' });
    let registered: RegisteredTool | undefined;
    const registerTool = server.registerTool.bind(server) as (...args: unknown[]) => RegisteredTool;
    server.registerTool = ((...args: unknown[]) => (registered = registerTool(...args))) as never;
    tool.register(server, { changes });
    assert.ok(registered, 'the tool registered itself');
    return registered;
  };

  it("gives every server the output schema's JSON Schema converted once, the one tools/list advertises", () => {
    const tool = defineTool({
      name: 'count',
      title: 'Count',
      description: 'Counts.',
      inputSchema: { text: z.string() },
      outputSchema: { count: z.number().int() },
      run: ({ text }) => ({ count: text.length }),
    });
    const first = registerOn(tool);
    const second = registerOn(tool);
    assert.deepEqual(Object.keys((first.outputSchemaJson as { properties: object }).properties), ['count']);
    assert.equal(second.outputSchemaJson, first.outputSchemaJson, 'converted again for the second server');
  });
});
