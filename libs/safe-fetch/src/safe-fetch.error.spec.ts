import { BlockedAddressError, SafeFetchError, type SafeFetchErrorCode } from './safe-fetch.error';

describe('public reasons of fetch failures: the class of failure, never an address', () => {
  it.each<[SafeFetchErrorCode, string]>([
    ['bad-url', 'invalid URL'],
    ['bad-scheme', 'scheme not allowed'],
    ['blocked-address', 'address not allowed'],
    ['blocked-port', 'port not allowed'],
    ['too-large', 'too large'],
    ['timeout', 'timeout'],
    ['too-many-redirects', 'redirect limit'],
    ['network', 'connection failed'],
  ])('%s → %s', (code, reason) => {
    const error = new SafeFetchError(
      code,
      'news.example resolves to 10.1.2.3 (private)',
      'http://10.1.2.3/',
    );
    expect(error.publicReason).toBe(reason);
  });

  it('names the HTTP status', () => {
    expect(
      new SafeFetchError('http-status', 'HTTP 404', 'https://x/', { status: 404 }).publicReason,
    ).toBe('HTTP 404');
  });

  it('keeps the detail in the message for the logs', () => {
    const blocked = new BlockedAddressError('cms.internal', '10.1.2.3', 'private');
    const error = new SafeFetchError('blocked-address', blocked.message, 'http://cms.internal/');
    expect(error.message).toBe(
      'cms.internal resolves to 10.1.2.3 (private), which is not a public address',
    );
    expect(error.publicReason).not.toMatch(/10\.1\.2\.3|cms\.internal|private/);
  });
});
