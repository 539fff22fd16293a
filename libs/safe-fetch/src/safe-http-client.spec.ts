import type { LookupAddress } from 'node:dns';
import { AddressPolicy } from './address-policy';
import { BlockedAddressError } from './safe-fetch.error';
import { guardedLookup, parseRetryAfter, type Resolver } from './safe-http-client';

function resolverReturning(...rounds: string[][]): Resolver {
  let call = 0;
  return (_host, _options, callback) => {
    const addresses = rounds[Math.min(call++, rounds.length - 1)];
    callback(
      null,
      addresses.map((address): LookupAddress => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );
  };
}

function lookupOnce(resolver: Resolver, policy = new AddressPolicy([]), all = true) {
  return new Promise<{ error: Error | null; result: unknown }>((resolve) => {
    guardedLookup(policy, resolver)('site.example', { all }, (error, result) =>
      resolve({ error, result }),
    );
  });
}

describe('guardedLookup', () => {
  it('passes public addresses through in both callback shapes', async () => {
    const resolver = resolverReturning(['93.184.215.14', '2606:4700::1']);
    expect((await lookupOnce(resolver)).result).toHaveLength(2);
    expect((await lookupOnce(resolver, undefined, false)).result).toBe('93.184.215.14');
  });

  it('refuses when any resolved address is private', async () => {
    const { error } = await lookupOnce(resolverReturning(['93.184.215.14', '10.0.0.7']));
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect((error as BlockedAddressError).range).toBe('private');
  });

  it('re-checks on every connect, so a rebinding answer is refused', async () => {
    const resolver = resolverReturning(['93.184.215.14'], ['169.254.169.254']);
    expect((await lookupOnce(resolver)).error).toBeNull();
    const second = await lookupOnce(resolver);
    expect(second.error).toBeInstanceOf(BlockedAddressError);
    expect((second.error as BlockedAddressError).range).toBe('linkLocal');
  });

  it('refuses a mapped loopback answer', async () => {
    const { error } = await lookupOnce(resolverReturning(['::ffff:127.0.0.1']));
    expect(error).toBeInstanceOf(BlockedAddressError);
  });

  it('lets an allow-listed CIDR through', async () => {
    const { error } = await lookupOnce(
      resolverReturning(['127.0.0.1']),
      new AddressPolicy(['127.0.0.0/8']),
    );
    expect(error).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
