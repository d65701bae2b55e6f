// A file produced by a task (usually by code in a sandbox), stored in the artifact store.
import { z } from 'zod';

export const ArtifactSchema = z
  .object({
    name: z.string().min(1),
    mimeType: z.string().min(1),
    /** Where the bytes live: `file://…` or `s3://bucket/key`. */
    uri: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  })
  .strict();
export type Artifact = z.output<typeof ArtifactSchema>;
