import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { Admin } from 'kafkajs';

const TOPIC_READY_ATTEMPTS = 30;

/**
 * A new topic is listed with leaders in the metadata before its leader hosts the partitions:
 * for a moment after `createTopics({ waitForLeaders })` a fresh KRaft broker still answers
 * "does not host this topic-partition". Reading every partition's end offset goes to the
 * leader itself, so once it succeeds for every topic, producers and consumers can use them.
 */
export async function waitUntilTopicsServed(
  admin: Admin,
  topics: readonly string[],
): Promise<void> {
  const policy = retry(handleAll, {
    maxAttempts: TOPIC_READY_ATTEMPTS,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
  });
  for (const topic of topics) {
    await policy.execute(() => admin.fetchTopicOffsets(topic));
  }
}
