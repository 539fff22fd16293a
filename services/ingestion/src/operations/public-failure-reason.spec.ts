import { publicFailureReason } from './public-failure-reason';

describe('publicFailureReason: reasons shown to API clients carry no internal address', () => {
  it.each([
    ['page-fetch: https://x.example/ resolves to 10.1.2.3 (private)', 'address not allowed'],
    ['redirect to 169.254.169.254 (linkLocal): address not allowed', 'address not allowed'],
    ['connect to [::ffff:127.0.0.1]:80 refused: loopback address', 'address not allowed'],
    ['address not allowed', 'address not allowed'],
    ['scheme file: is not allowed', 'scheme not allowed'],
    ['port 6379 is not allowed', 'port not allowed'],
    ['fetch of https://slow.example/ failed: timeout after 30000 ms', 'timeout'],
    ['connect ETIMEDOUT 203.0.113.9:443', 'timeout'],
  ])('classifies %j as %j', (reason, expected) => {
    expect(publicFailureReason(reason)).toBe(expected);
  });

  it.each([
    ['connect ECONNREFUSED 127.0.0.1:6379', 'connect ECONNREFUSED [address]'],
    ['connect ECONNREFUSED ::1:9200', 'connect ECONNREFUSED [address]'],
    ['getaddrinfo ENOTFOUND on [fd00::5]:8080', 'getaddrinfo ENOTFOUND on [address]'],
    ['socket hang up talking to fe80::1%eth0', 'socket hang up talking to [address]'],
    ['write to opensearch.internal:9200 failed', 'write to [address] failed'],
    ['S3 at minio:9000 answered 503', 'S3 at [address] answered 503'],
  ])('replaces addresses in %j', (reason, expected) => {
    expect(publicFailureReason(reason)).toBe(expected);
  });

  it.each([
    'HTTP 404',
    'https://private-clinic.example/news answered HTTP 410',
    'status 503',
    'unsupported content type application/pdf: only HTML pages can be enriched',
    'failed at 2026-12-01T20:48:48.123Z after 3 attempts',
    'no image candidate at 12:30:45',
  ])('keeps a reason without addresses as it is: %j', (reason) => {
    expect(publicFailureReason(reason)).toBe(reason);
  });

  it('bounds the length of what it shows', () => {
    expect(publicFailureReason('x'.repeat(5000)).length).toBeLessThanOrEqual(501);
  });
});
