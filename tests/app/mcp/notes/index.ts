// A small server written with the definition API, for the tests of that API (tests/app/mcp/).
import { z } from 'zod';
import {
  ask,
  audio,
  defineResource,
  defineResourceTemplate,
  defineServer,
  defineTool,
  definePrompt,
  embeddedResource,
  image,
  needsInput,
  resourceLink,
  text,
  toolError,
  toolResult,
} from '../../../../app/mcp/define';

export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
export const WAV = Buffer.from('UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=', 'base64');
export const NOTES: Record<string, string> = { '1': 'buy milk', '2': 'call Ann', '10': 'ship it' };

const Confirm = z.object({ ok: z.boolean() });

export const notes = defineServer({
  title: 'Notes',
  instructions: 'Notes, to test the server definition API.',
  tools: [
    defineTool({
      name: 'count',
      title: 'Count',
      description: 'Counts words; structured output only (the first form of defineTool).',
      inputSchema: { text: z.string() },
      outputSchema: { words: z.number() },
      run: ({ text: t }) => ({ words: t.split(/\s+/).filter(Boolean).length }),
    }),
    defineTool({
      name: 'show',
      title: 'Show',
      description: 'Rich content with structured output.',
      inputSchema: { id: z.string() },
      outputSchema: { id: z.string(), note: z.string() },
      run: ({ id }) => {
        const note = NOTES[id];
        if (note === undefined) return toolError(`no note ${id}`);
        return toolResult(
          [
            text(note),
            image(PNG, 'image/png'),
            audio(WAV, 'audio/wav'),
            embeddedResource({ uri: `notes://${id}`, mimeType: 'text/plain', text: note }),
            resourceLink({ uri: `notes://${id}`, name: `note ${id}` }),
          ],
          { id, note },
        );
      },
    }),
    defineTool({
      name: 'fail',
      title: 'Fail',
      description: 'Throws.',
      run: () => {
        throw new Error('the disk is full');
      },
    }),
    defineTool({
      name: 'work',
      title: 'Work',
      description: 'Reports progress and logs.',
      inputSchema: { steps: z.number().int().min(1).max(5) },
      run: async ({ steps }, ctx) => {
        await ctx.log('info', `starting ${steps} steps`);
        for (let i = 1; i <= steps; i++) await ctx.progress(i, steps, `step ${i}`);
        return toolResult([text(`did ${steps} steps`)]);
      },
    }),
    defineTool({
      name: 'delete',
      title: 'Delete',
      description: 'Asks the user to confirm, then deletes (two rounds: the id travels in the signed state).',
      inputSchema: { id: z.string() },
      run: ({ id }, ctx) => {
        const confirmed = ctx.input.accepted('confirm', Confirm);
        const state = ctx.input.state<{ id: string }>();
        if (!confirmed || !state) {
          return needsInput({ requests: { confirm: ask.elicit({ message: `Delete note ${id}?`, requestedSchema: Confirm }) }, state: { id } });
        }
        return toolResult([text(confirmed.ok ? `deleted ${state.id}` : `kept ${state.id}`)]);
      },
    }),
  ],
  resources: [
    defineResource({ name: 'readme', uri: 'notes://readme', title: 'Read me', mimeType: 'text/plain', read: () => 'Notes by id.' }),
    defineResource({
      name: 'logo',
      uri: 'notes://logo',
      title: 'Logo',
      mimeType: 'image/png',
      cache: { ttlMs: 3_600_000, cacheScope: 'public' },
      read: () => PNG,
    }),
    defineResourceTemplate({
      name: 'note',
      uriTemplate: 'notes://{id}',
      title: 'A note',
      mimeType: 'text/plain',
      list: () => Object.keys(NOTES).map((id) => ({ uri: `notes://${id}`, name: `note ${id}` })),
      complete: { id: (value) => Object.keys(NOTES).filter((id) => id.startsWith(value)) },
      read: ({ id }) => NOTES[id!] ?? `(no note ${id})`,
    }),
  ],
  prompts: [
    definePrompt({
      name: 'summarize',
      title: 'Summarize',
      description: 'Summarize a note.',
      args: { id: z.string().describe('The note'), style: z.string().optional().describe('How') },
      complete: { id: (value) => Object.keys(NOTES).filter((id) => id.startsWith(value)) },
      messages: ({ id, style }) => [
        { role: 'user', content: embeddedResource({ uri: `notes://${id}`, mimeType: 'text/plain', text: NOTES[id] ?? '' }) },
        { role: 'user', content: image(PNG, 'image/png') },
        { role: 'user', content: text(`Summarize it${style ? ` ${style}` : ''}.`) },
      ],
    }),
  ],
  cacheHints: { 'tools/list': { ttlMs: 5_000 } },
});
