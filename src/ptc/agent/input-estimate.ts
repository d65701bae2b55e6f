// A model call's input size, estimated before it is sent, so a call that alone would pass the budget is refused.
import type { ModelMessage, ToolSet } from 'ai';

/** About four characters a token (the scripted server's count; real tokenizers give more for odd text). */
const CHARS_PER_TOKEN = 4;

export function estimateInputTokens(
  system: string,
  messages: readonly ModelMessage[],
  tools?: ToolSet,
): number {
  let chars = system.length + JSON.stringify(messages).length;
  if (tools) {
    for (const [name, entry] of Object.entries(tools)) {
      chars += name.length + (entry.description?.length ?? 0);
      const schema = (entry.inputSchema as { jsonSchema?: unknown } | undefined)?.jsonSchema;
      chars += schema === undefined ? 0 : JSON.stringify(schema).length;
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
