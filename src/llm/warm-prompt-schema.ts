// Lets the AI SDK's check of every prompt skip a walk of its whole message schema on each call.
import { modelMessageSchema } from 'ai';

let warmed = false;

/**
 * `generateText` checks the messages with `z.array(modelMessageSchema)`, a new array schema per call. Zod then
 * asks whether the schema can recurse, walking the message schema, and keeps the answer only once the lazy JSON
 * value schema inside it has been resolved, which only a message with provider options does. One such parse,
 * once per process, settles it: the per-call check stops re-walking the tree (a few percent of a model call's
 * CPU in the engine bench). Harmless if a later zod no longer needs it.
 */
export function warmPromptSchema(): void {
  if (warmed) return;
  warmed = true;
  modelMessageSchema.safeParse({
    role: 'user',
    content: 'warm-up',
    providerOptions: { warmUp: { value: [1, { nested: null }] } },
  });
}
