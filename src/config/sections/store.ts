// Config of the execution store (SQLite or PostgreSQL) and the artifact store (files or S3).
import { z } from 'zod';

export const StoreConfigSchema = z
  .object({
    /** Directory of the embedded SQLite file and artifacts. */
    dataDir: z.string().min(1).default('.roma'),
    /** postgres://… selects PostgreSQL; SQLite under dataDir otherwise. */
    databaseUrl: z.string().min(1).optional(),
    /**
     * SQLite commit durability: FULL (the default when unset) fsyncs every append, so it survives a power cut;
     * NORMAL survives a killed process but may lose the last appends on an OS crash, and is about 7x faster.
     */
    sqliteSynchronous: z.enum(['FULL', 'NORMAL']).optional(),
    s3Endpoint: z.url().optional(),
    s3Bucket: z.string().min(1).optional(),
    s3Region: z.string().min(1).default('us-east-1'),
    s3AccessKeyId: z.string().min(1).optional(),
    s3SecretAccessKey: z.string().min(1).optional(),
  })
  .strict();
export type StoreConfig = z.output<typeof StoreConfigSchema>;
