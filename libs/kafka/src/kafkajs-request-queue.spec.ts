// kafkajs 2.2.4 re-arms a 1 ms timer forever on every idle broker connection (a negative delay,
// which Node 24 reports as TimeoutNegativeWarning). patches/kafkajs+2.2.4.patch stops that; this
// guards the patch against a reinstall or version bump that drops it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  scheduleCheckPendingRequests(): void;
  destroy(): void;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
};

const silentLogger = { debug: () => undefined, warn: () => undefined, error: () => undefined };

describe('kafkajs request queue (patched)', () => {
  it('arms no timer while nothing is pending and the broker does not throttle', () => {
    const queue = new RequestQueue({
      requestTimeout: 30_000,
      clientId: 'test',
      broker: 'b:1',
      logger: silentLogger,
    });
    try {
      queue.scheduleCheckPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    } finally {
      queue.destroy();
    }
  });

  it('still checks again when a request waits', () => {
    const queue = new RequestQueue({
      requestTimeout: 30_000,
      clientId: 'test',
      broker: 'b:1',
      logger: silentLogger,
    });
    try {
      queue.pending.push({});
      queue.scheduleCheckPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
    } finally {
      queue.pending.length = 0;
      queue.destroy();
    }
  });
});
