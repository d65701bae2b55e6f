// The test Redis for queue tests: its URL, a key prefix no other test run uses, and removing that prefix's keys.
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** `roma-<name>-test-<pid>-<now>`: BullMQ's key prefix for one test file's queues. */
export function uniqueQueuePrefix(name: string): string {
  return `roma-${name}-test-${process.pid}-${Date.now()}`;
}

/** Deletes every key under each BullMQ prefix (`<prefix>:*`). */
export async function deleteQueueKeys(...prefixes: string[]): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
