import { automock, newTestService } from './test-service';

interface Clock {
  now(): number;
}

interface Store {
  save(value: number): Promise<void>;
}

class Recorder {
  constructor(
    private readonly clock: Clock,
    private readonly store: Store,
    private readonly label: string,
  ) {}

  async record(): Promise<string> {
    await this.store.save(this.clock.now());
    return this.label;
  }
}

describe('newTestService', () => {
  it('builds the service on a strict mock of every dependency, with overrides by position', async () => {
    const { sut, mocks } = newTestService(Recorder, { 2: 'recorded' });
    const [clock, store] = mocks;
    clock.now.mockReturnValue(42);
    store.save.mockResolvedValue();

    await expect(sut.record()).resolves.toBe('recorded');
    expect(store.save).toHaveBeenCalledWith(42);
  });

  it('throws from any method the test did not mock, naming it', async () => {
    const { sut, mocks } = newTestService(Recorder, { 2: 'recorded' });
    mocks[0].now.mockReturnValue(1);

    await expect(sut.record()).rejects.toThrow(/save\(\) was called, but the test did not mock it/);
  });
});

describe('automock', () => {
  it('can be awaited and printed without calling anything', async () => {
    const store = automock<Store>('store');

    await expect(Promise.resolve(store)).resolves.toBe(store);
    expect(() => store.save(1)).toThrow('store.save() was called, but the test did not mock it');
  });
});
