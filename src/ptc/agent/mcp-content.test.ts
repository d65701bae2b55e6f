// PTC on published MCP servers: hyphenated tool names, images, audio, resources and links reach the program.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envReference,
  everythingServerConfig,
  filesystemServerConfig,
} from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';

const SECRET = 'sk-everything-4c7e1a9b2d';
const everythingDocs = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/docs/', import.meta.url),
);
// A PNG made here (signature, header chunk, bytes no server could guess), and a WAV header with samples.
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 300 }, (_, index) => (index * 37 + 11) % 256)),
]);
const wav = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from(Array.from({ length: 200 }, (_, index) => (index * 13) % 256)),
]);

let harness: PtcHarness;
let filesDir: string;

const answerFrom = finalAnswerFrom(/ANSWER=(.*)/, 'not found');

async function artifactBytes(uri: string): Promise<Buffer> {
  return readFileSync(fileURLToPath(uri));
}

beforeAll(async () => {
  filesDir = mkdtempSync(join(tmpdir(), 'roma-fs-'));
  writeFileSync(join(filesDir, 'chart.png'), png);
  writeFileSync(join(filesDir, 'beep.wav'), wav);
  writeFileSync(join(filesDir, 'notes.txt'), 'line one\nline two\n');
  harness = await startPtcHarness({
    servers: {
      everything: everythingServerConfig({ EVERYTHING_TOKEN: envReference('EVERYTHING_TEST_SECRET') }),
      files: filesystemServerConfig(filesDir),
    },
    hostEnv: { ...process.env, EVERYTHING_TEST_SECRET: SECRET },
    emitArtifactEvents: true,
    rules: [
      conversationRule('[docs-by-either-name]', [
        codeReply(
          [
            "const byIdentifier = await readToolDoc('everything', 'get_sum');",
            "const byRawName = await readToolDoc('everything', 'get-sum');",
            'const sum = await everything.get_sum({ a: 19, b: 23 });',
            "console.log('SAME=' + (byIdentifier === byRawName) + ' HEAD=' + byIdentifier.split('\\n')[0]);",
            "console.log('ANSWER=' + JSON.stringify(sum));",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[image-artifact]', [
        codeReply(
          [
            'const result = await everything.get_tiny_image({});',
            "const image = result.content.find((part) => part.type === 'image');",
            "const saved = await saveBase64('results/logo.png', image.data);",
            "console.log('ANSWER=' + [image.mimeType, image.bytes, saved.bytes, result.text.length > 0].join(','));",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[embedded-resource]', [
        codeReply(
          [
            "const text = await everything.get_resource_reference({ resourceType: 'Text', resourceId: 3 });",
            "const blob = await everything.get_resource_reference({ resourceType: 'Blob', resourceId: 4 });",
            "const textPart = text.content.find((part) => part.type === 'resource');",
            "const blobPart = blob.content.find((part) => part.type === 'resource');",
            "console.log('TEXT=' + textPart.text);",
            "console.log('BLOB=' + blobPart.blob + ' ' + blobPart.mimeType);",
            'const links = await everything.get_resource_links({ count: 2 });',
            "console.log('LINKS=' + JSON.stringify(links.content.filter((part) => part.type === 'resource_link').map((part) => part.uri)));",
            "console.log('ANSWER=done');",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[resource-by-uri]', [
        codeReply(
          [
            "const listed = await listResources('everything');",
            "const doc = listed.find((resource) => resource.name === 'architecture.md');",
            "const parts = await readResource('everything', doc.uri);",
            "workspace.writeFile('results/architecture.md', parts[0].text);",
            "console.log('ANSWER=' + [listed.length > 0, doc.uri, parts[0].mimeType].join(','));",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[filesystem-media]', [
        codeReply(
          [
            `const image = await files.read_media_file({ path: ${JSON.stringify(join(filesDir, 'chart.png'))} });`,
            `const audio = await files.read_media_file({ path: ${JSON.stringify(join(filesDir, 'beep.wav'))} });`,
            `const notes = await files.read_text_file({ path: ${JSON.stringify(join(filesDir, 'notes.txt'))} });`,
            "await saveBase64('results/chart.png', image.content[0].data);",
            "await saveBase64('results/beep.wav', audio.content[0].data);",
            "console.log('ANSWER=' + [image.content[0].mimeType, audio.content[0].type, audio.content[0].mimeType, JSON.stringify(notes.content)].join(','));",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[notices]', [
        codeReply(
          [
            'const long = await everything.trigger_long_running_operation({ duration: 1, steps: 3 });',
            'const asked = await everything.trigger_elicitation_request({});',
            "console.log('ANSWER=' + JSON.stringify(asked).includes('decline'));",
          ].join('\n'),
        ),
        answerFrom,
      ]),
      conversationRule('[save-outside-results]', [
        codeReply(
          [
            'let message = "none";',
            "try { await saveBase64('../escape.png', 'AAAA'); } catch (error) { message = error.message; }",
            "let notBase64 = 'none';",
            "try { await saveBase64('results/x.bin', 'not base64 at all!'); } catch (error) { notBase64 = error.message; }",
            "console.log('ANSWER=' + message + ' | ' + notBase64);",
          ].join('\n'),
        ),
        answerFrom,
      ]),
    ],
  });
});

afterAll(async () => {
  await harness?.close();
  rmSync(filesDir, { recursive: true, force: true });
});

describe('PTC with server-everything and server-filesystem', () => {
  it('reads a hyphenated tool doc by its identifier and by its raw name', async () => {
    const result = await harness.execute({
      goal: '[docs-by-either-name] add 19 and 23',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.executions[0]?.stdout).toContain('SAME=true HEAD=# everything.get-sum');
    expect(result.summary).toContain('42');
    const prompt = harness.model.requests.at(-1)?.text ?? '';
    // The prompt shows identifiers, and the doc read works with them.
    expect(prompt).toContain('get_sum');
  });

  it('gives the program the image bytes, which it saves as an artifact', async () => {
    const source = readFileSync(join(everythingDocs, '../tools/get-tiny-image.js'), 'utf8');
    const MCP_TINY_IMAGE = source.match(/MCP_TINY_IMAGE = "([^"]+)"/)?.[1] ?? '';
    const expected = Buffer.from(MCP_TINY_IMAGE, 'base64');
    const result = await harness.execute({
      goal: '[image-artifact] save the logo',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe(`image/png,${expected.length},${expected.length},true`);
    const artifact = result.artifacts.find((entry) => entry.name === 'logo.png');
    expect(artifact).toMatchObject({ mimeType: 'image/png', bytes: expected.length });
    expect(artifact?.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    expect((await artifactBytes(artifact!.uri)).equals(expected)).toBe(true);
    // The model saw what the program printed, not the image.
    expect(harness.model.requests.at(-1)?.text).not.toContain(MCP_TINY_IMAGE.slice(0, 200));
  });

  it('gives the program embedded text and blob resources and resource links', async () => {
    const result = await harness.execute({
      goal: '[embedded-resource] read the references',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.status).toBe('SUCCESS');
    const stdout = result.executions[0]?.stdout ?? '';
    expect(stdout).toMatch(/TEXT=Resource 3: This is a plaintext resource created at/);
    const blob = stdout.match(/BLOB=(\S+) (\S+)/);
    expect(Buffer.from(blob?.[1] ?? '', 'base64').toString('utf8')).toMatch(
      /^Resource 4: This is a base64 blob created at/,
    );
    expect(blob?.[2]).toBe('text/plain');
    expect(stdout).toMatch(
      /LINKS=\["demo:\/\/resource\/dynamic\/\w+\/\d+","demo:\/\/resource\/dynamic\/\w+\/\d+"\]/,
    );
  });

  it('lists resources and reads a text resource by URI through the bridge', async () => {
    const result = await harness.execute({
      goal: '[resource-by-uri] read the architecture doc',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe('true,demo://resource/static/document/architecture.md,text/markdown');
    const artifact = result.artifacts.find((entry) => entry.name === 'architecture.md');
    expect((await artifactBytes(artifact!.uri)).toString('utf8')).toBe(
      readFileSync(join(everythingDocs, 'architecture.md'), 'utf8'),
    );
  });

  it('saves image and audio bytes read by server-filesystem as artifacts', async () => {
    const result = await harness.execute({
      goal: '[filesystem-media] read the media files',
      tools: { servers: [{ name: 'files' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe('image/png,audio,audio/wav,"line one\\nline two\\n"');
    const chart = result.artifacts.find((entry) => entry.name === 'chart.png');
    const beep = result.artifacts.find((entry) => entry.name === 'beep.wav');
    expect((await artifactBytes(chart!.uri)).equals(png)).toBe(true);
    expect((await artifactBytes(beep!.uri)).equals(wav)).toBe(true);
    expect(beep?.mimeType).toBe('audio/wav');
  });

  it('refuses a save outside results/ and content that is not base64, and saves nothing', async () => {
    const result = await harness.execute({
      goal: '[save-outside-results] try to escape',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.summary).toContain('must be a file under results/');
    expect(result.summary).toContain('must be a base64 string');
    expect(result.artifacts).toEqual([]);
  });

  it('turns progress notifications into events and declines elicitation with a reason', async () => {
    const before = harness.events.length;
    const result = await harness.execute({
      goal: '[notices] run the long operation and the elicitation',
      tools: { servers: [{ name: 'everything' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe('true');
    const notices = harness.events.slice(before).filter((event) => event.type === 'tool-notice');
    const progress = notices.filter((event) => event.kind === 'progress');
    // The server reports each step; one sent as the call ends may race its answer.
    const steps = progress.map((event) => event.progress);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.slice(0, 2)).toEqual([1, 2]);
    expect(progress[0]).toMatchObject({
      server: 'everything',
      tool: 'trigger-long-running-operation',
      total: 3,
    });
    const declined = notices.filter((event) => event.kind === 'declined');
    expect(declined).toHaveLength(1);
    expect(declined[0]?.message).toMatch(/^elicitation declined \(a PTC run is unattended\)/);
  });

  it('keeps the secret in the server env out of everything the sandbox and model saw', () => {
    const seen = JSON.stringify({ requests: harness.model.requests, events: harness.events });
    expect(seen).not.toContain(SECRET);
  });
});

describe.each([
  ['anthropic:scripted', true],
  ['openai:scripted', false],
])('direct mode with %s', (modelId, imagePart) => {
  let direct: PtcHarness;
  beforeAll(async () => {
    direct = await startPtcHarness({
      mode: 'direct',
      modelId,
      servers: { everything: everythingServerConfig() },
      rules: [
        {
          name: 'direct-image',
          match: { contains: '[direct-image]' },
          reply: (request) =>
            request.toolResults.length === 0
              ? { toolCalls: [{ name: 'everything__get_tiny_image', args: {} }] }
              : { text: 'FINAL ANSWER: the MCP logo' },
        },
      ],
    });
  });
  afterAll(async () => {
    await direct?.close();
  });

  it(
    imagePart ? 'sends the image as an image part' : 'sends a note of the image (tool messages are text)',
    async () => {
      const result = await direct.execute({
        goal: '[direct-image] what does the tiny image show?',
        tools: { servers: [{ name: 'everything' }] },
      });
      expect(result.status).toBe('SUCCESS');
      const body = JSON.stringify(direct.model.requests.at(-1)?.body);
      expect(body).toContain("Here's the image you requested:");
      if (imagePart) {
        expect(body).toMatch(
          /"type":"image","source":\{"type":"base64","media_type":"image\/png","data":"iVBORw0KGgo/,
        );
      } else {
        expect(body).toMatch(/\[image image\/png, \d+ bytes\]/);
        expect(body).not.toContain('iVBORw0KGgo');
      }
    },
  );
});
