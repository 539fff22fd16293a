import 'reflect-metadata';

/** Each constructor parameter as a jest mock of its type. */
export type MockedDependencies<P extends unknown[]> = { [K in keyof P]: jest.Mocked<P[K]> };

/** Real values for some constructor parameters, by position (e.g. `{ 2: config }`). */
export type DependencyOverrides<P extends unknown[]> = {
  [K in keyof P as K extends `${number}` ? K : never]?: P[K];
};

/**
 * Property names that awaiting, printing or matching a mock reads: they must not look like
 * methods (a mock with `then` would be awaited forever).
 */
const NOT_METHODS = new Set<PropertyKey>([
  'then',
  'toJSON',
  'asymmetricMatch',
  'nodeType',
  'constructor',
  '$$typeof',
  '_isMockFunction',
]);

/**
 * A strict mock of `T`: every method is a `jest.fn()` that throws until the test gives it a
 * behaviour (`mockResolvedValue`, `mockImplementation`, …), so a call the test did not plan for
 * fails loudly instead of returning `undefined`. `implemented` answers what it has (a value such
 * as `baseUrl`, or an in-memory fake's methods); everything else stays strict.
 */
export function automock<T extends object>(
  name = 'mock',
  implemented: Partial<T> = {},
): jest.Mocked<T> {
  const methods = new Map<PropertyKey, jest.Mock>();
  const target: object = implemented;
  return new Proxy(target, {
    get(target, property, receiver) {
      if (Reflect.has(target, property)) return Reflect.get(target, property, receiver);
      if (typeof property === 'symbol' || NOT_METHODS.has(property)) return undefined;
      let method = methods.get(property);
      if (!method) {
        method = jest.fn(() => {
          throw new Error(`${name}.${property}() was called, but the test did not mock it`);
        });
        methods.set(property, method);
      }
      return method;
    },
  }) as jest.Mocked<T>;
}

/**
 * The service under test, built without Nest: every constructor dependency is an `automock`
 * unless `overrides` gives a real value at its position. `mocks` are the dependencies in
 * constructor order, typed as mocks of their declared types.
 */
export function newTestService<P extends unknown[], S>(
  Service: new (...dependencies: P) => S,
  overrides: DependencyOverrides<P> = {},
): { sut: S; mocks: MockedDependencies<P> } {
  const declared: Array<{ name?: string } | undefined> =
    Reflect.getMetadata('design:paramtypes', Service) ?? [];
  const given: Partial<Record<number, unknown>> = overrides;
  const dependencies = Array.from(
    { length: Math.max(Service.length, declared.length) },
    (_, index) =>
      index in given
        ? given[index]
        : automock(`${Service.name}(${declared[index]?.name ?? 'dependency'} #${index})`),
  );
  return {
    sut: new Service(...(dependencies as P)),
    mocks: dependencies as MockedDependencies<P>,
  };
}
