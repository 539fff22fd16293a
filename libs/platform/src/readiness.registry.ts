import { Injectable, type FactoryProvider } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 3000;

export class CheckTimeoutError extends Error {}

/** A check that hangs (a server that takes connections but never answers) counts as down. */
export function withCheckTimeout(check: ReadinessCheck): Promise<void> {
  return Promise.race([
    check(),
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new CheckTimeoutError(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/** Each client's provider registers how to tell that the server it talks to answers. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** One check per name: a second registration means two clients for one server. */
  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is registered twice`);
    this.checks.set(name, check);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }

  /** The names of the servers that do not answer now. */
  async unavailable(): Promise<string[]> {
    const results = await Promise.all(
      this.entries().map(([name, check]) =>
        withCheckTimeout(check).then(
          () => undefined,
          () => name,
        ),
      ),
    );
    return results.filter((name): name is string => name !== undefined);
  }
}

/**
 * The provider of a service's one client for a server (`token`), which reports that server in
 * /health/ready as `name`: the client and its readiness check are declared in one place.
 */
export function readinessCheckedClient<T>(
  token: symbol,
  name: string,
  create: () => T,
  check: (client: T) => Promise<unknown>,
): FactoryProvider<T> {
  return {
    provide: token,
    inject: [ReadinessRegistry],
    useFactory: (readiness: ReadinessRegistry) => {
      const client = create();
      readiness.register(name, async () => void (await check(client)));
      return client;
    },
  };
}
