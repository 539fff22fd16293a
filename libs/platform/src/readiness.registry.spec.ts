import { ReadinessRegistry, readinessCheckedClient } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('keeps one check per name', () => {
    const registry = new ReadinessRegistry();
    const redis = async () => undefined;
    const s3 = async () => undefined;
    registry.register('redis', redis);
    registry.register('s3', s3);
    expect(registry.entries()).toEqual([
      ['redis', redis],
      ['s3', s3],
    ]);
  });

  it('refuses a second check under a name already registered', () => {
    const registry = new ReadinessRegistry();
    const first = async () => undefined;
    registry.register('redis', first);
    expect(() => registry.register('redis', async () => undefined)).toThrow(
      'readiness check "redis" is registered twice',
    );
    expect(registry.entries()).toEqual([['redis', first]]);
  });

  it('names the servers whose check fails or never answers', async () => {
    jest.useFakeTimers();
    try {
      const registry = new ReadinessRegistry();
      registry.register('redis', async () => undefined);
      registry.register('s3', async () => {
        throw new Error('ECONNREFUSED');
      });
      registry.register('opensearch', () => new Promise<void>(() => undefined));
      const unavailable = registry.unavailable();
      await jest.advanceTimersByTimeAsync(3000);
      await expect(unavailable).resolves.toEqual(['s3', 'opensearch']);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('readinessCheckedClient', () => {
  it('registers the check of the client it creates, under its name', async () => {
    const registry = new ReadinessRegistry();
    const client = { ping: jest.fn(async () => 'PONG') };
    const provider = readinessCheckedClient(
      Symbol('CLIENT'),
      'redis',
      () => client,
      (created) => created.ping(),
    );
    expect(provider.useFactory(registry)).toBe(client);
    const [[name, check]] = registry.entries();
    expect(name).toBe('redis');
    await expect(check()).resolves.toBeUndefined();
    expect(client.ping).toHaveBeenCalledTimes(1);
  });
});
