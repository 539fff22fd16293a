import { AddressPolicy, isPublicAddress, parseAddress } from './address-policy';

function verdictFor(literal: string, allowHosts: string[] = []) {
  const address = parseAddress(literal);
  if (!address) throw new Error(`test literal ${literal} did not parse`);
  return new AddressPolicy(allowHosts).check('example.test', address);
}

/** The URL host as Node's WHATWG parser normalises it, which is what the client checks. */
function urlHost(raw: string): string {
  return new URL(raw).hostname;
}

describe('address policy', () => {
  describe('refuses every non-public address', () => {
    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['169.254.0.1', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['100.127.255.255', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['192.0.2.1', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fc00::1', 'uniqueLocal'],
      ['fd00:ec2::254', 'uniqueLocal'],
      ['fe80::1', 'linkLocal'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['2002:7f00:1::1', '6to4'],
      ['2001::1', 'teredo'],
    ])('%s (%s)', (literal, range) => {
      expect(verdictFor(literal)).toEqual({ allowed: false, range });
    });
  });

  describe('SSRF policy, IPv6 allow-list: only global unicast (2000::/3) outside every special range passes', () => {
    it.each([
      // IPv4-compatible ::/96 (deprecated): ipaddr.js calls it 'unicast'.
      ['::169.254.169.254', 'ipv4Compatible'],
      ['::a9fe:a9fe', 'ipv4Compatible'],
      ['::127.0.0.1', 'ipv4Compatible'],
      ['::10.0.0.1', 'ipv4Compatible'],
      ['::8.8.8.8', 'ipv4Compatible'],
      // 'unicast' to ipaddr.js, but outside 2000::/3: nothing public is allocated there.
      ['1::1', 'notGlobalUnicast'],
      ['4000::1', 'notGlobalUnicast'],
      ['e000::1', 'notGlobalUnicast'],
      // Every other special range ipaddr.js 2.5 names.
      ['100::1', 'discard'],
      ['fec0::1', 'deprecatedSiteLocal'],
      ['64:ff9b:1::a9fe:a9fe', 'rfc6052'],
      ['2002:0808:0808::1', '6to4'],
      ['2001:0:4136:e378::1', 'teredo'],
      ['2001:2::1', 'benchmarking'],
      ['2001:3::1', 'amt'],
      ['2001:4:112::1', 'as112v6'],
      ['2620:4f:8000::1', 'as112v6'],
      ['2001:10::1', 'deprecatedOrchid'],
      ['2001:20::1', 'orchid2'],
      ['2001:30::1', 'droneRemoteIdProtocolEntityTags'],
      ['5f00::1', 'segmentRouting'],
      ['2001:db8::1', 'reserved'],
      ['3fff::1', 'reserved'],
    ])('%s is refused (%s)', (literal, range) => {
      expect(verdictFor(literal)).toEqual({ allowed: false, range });
    });

    it.each(['http://[::169.254.169.254]/', 'http://[::127.0.0.1]/', 'http://[::7f00:1]/'])(
      'refuses the IPv4-compatible URL host %s',
      (raw) => {
        expect(isPublicAddress(parseAddress(urlHost(raw))!).allowed).toBe(false);
      },
    );
  });

  describe('judges translated (rfc6145) and NAT64 (64:ff9b::/96) addresses by the embedded IPv4 address', () => {
    it.each([
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b::169.254.169.254', 'linkLocal'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['::ffff:0:7f00:1', 'loopback'],
      ['::ffff:0:10.0.0.1', 'private'],
    ])('%s → %s', (literal, range) => {
      expect(verdictFor(literal)).toEqual({ allowed: false, range });
    });

    it.each(['64:ff9b::8.8.8.8', '::ffff:0:8.8.8.8'])(
      'lets %s through (a NAT64 route to a public site)',
      (literal) => {
        expect(verdictFor(literal)).toEqual({ allowed: true, range: 'unicast' });
      },
    );
  });

  describe('SSRF policy, IPv4 allow-list: only ipaddr.js "unicast" passes', () => {
    it.each([
      ['192.175.48.1', 'as112'],
      ['192.31.196.1', 'as112'],
      ['192.52.193.1', 'amt'],
      ['192.0.0.170', 'reserved'],
      ['203.0.113.5', 'reserved'],
    ])('%s is refused (%s)', (literal, range) => {
      expect(verdictFor(literal)).toEqual({ allowed: false, range });
    });
  });

  describe('SSRF policy, ports: 80 and 443 unless widened; allow-listed hosts keep any port', () => {
    it('allows only 80 and 443 by default', () => {
      const policy = new AddressPolicy([]);
      expect(policy.isPortAllowed('news.example', 80)).toBe(true);
      expect(policy.isPortAllowed('news.example', 443)).toBe(true);
      for (const port of [22, 25, 6379, 8080, 9200, 11211]) {
        expect(policy.isPortAllowed('news.example', port)).toBe(false);
      }
    });

    it('adds FETCH_ALLOWED_PORTS to the defaults', () => {
      const policy = new AddressPolicy([], [8443]);
      expect(policy.isPortAllowed('news.example', 8443)).toBe(true);
      expect(policy.isPortAllowed('news.example', 443)).toBe(true);
      expect(policy.isPortAllowed('news.example', 8080)).toBe(false);
    });

    it('keeps any port for a listed host name or a literal address inside a listed CIDR, not for other names', () => {
      const policy = new AddressPolicy(['cms.internal', '127.0.0.0/8', 'fd12::/16']);
      expect(policy.isPortAllowed('cms.internal', 8080)).toBe(true);
      expect(policy.isPortAllowed('127.0.0.1', 40123)).toBe(true);
      expect(policy.isPortAllowed('[fd12::5]', 40123)).toBe(true);
      expect(policy.isPortAllowed('10.0.0.1', 40123)).toBe(false);
      expect(policy.isPortAllowed('localhost', 40123)).toBe(false);
      expect(policy.isPortAllowed('news.example', 40123)).toBe(false);
    });
  });

  describe('judges IPv4-mapped IPv6 by the embedded IPv4 address', () => {
    it.each([
      ['::ffff:127.0.0.1', 'loopback'],
      ['::fFFf:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'linkLocal'],
      ['::ffff:10.0.0.1', 'private'],
      ['0:0:0:0:0:ffff:192.168.0.1', 'private'],
    ])('%s → %s', (literal, range) => {
      expect(verdictFor(literal)).toEqual({ allowed: false, range });
    });

    it('lets a mapped public address through', () => {
      expect(verdictFor('::ffff:8.8.8.8')).toEqual({ allowed: true, range: 'unicast' });
    });
  });

  describe('sees through WHATWG URL normalisation of odd IPv4 spellings', () => {
    it.each([
      'http://127.1/',
      'http://0x7f.1/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://017700000001/',
      'http://0177.0.0.1/',
      'http://127.000.000.001/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]/',
      'http://[0:0:0:0:0:0:0:1]/',
      'http://0/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
    ])('%s is refused', (raw) => {
      const address = parseAddress(urlHost(raw));
      expect(address).toBeDefined();
      expect(isPublicAddress(address!).allowed).toBe(false);
    });
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
  ])('lets the public address %s through', (literal) => {
    expect(verdictFor(literal)).toEqual({ allowed: true, range: 'unicast' });
  });

  it('does not treat host names as addresses', () => {
    expect(parseAddress('localhost')).toBeUndefined();
    expect(parseAddress('example.com')).toBeUndefined();
    expect(parseAddress('127.0.0.1.nip.io')).toBeUndefined();
  });

  describe('allow list', () => {
    it('allows an address inside an allow-listed CIDR, and only that range', () => {
      expect(verdictFor('127.0.0.1', ['127.0.0.0/8'])).toEqual({
        allowed: true,
        range: 'loopback',
      });
      expect(verdictFor('10.0.0.1', ['127.0.0.0/8']).allowed).toBe(false);
      expect(verdictFor('169.254.169.254', ['127.0.0.0/8']).allowed).toBe(false);
    });

    it('matches a mapped address against an IPv4 CIDR', () => {
      expect(verdictFor('::ffff:127.0.0.1', ['127.0.0.0/8']).allowed).toBe(true);
    });

    it('accepts a single address and an IPv6 CIDR', () => {
      expect(verdictFor('10.1.2.3', ['10.1.2.3']).allowed).toBe(true);
      expect(verdictFor('10.1.2.4', ['10.1.2.3']).allowed).toBe(false);
      expect(verdictFor('fd12::5', ['fd12::/16']).allowed).toBe(true);
      expect(verdictFor('fd13::5', ['fd12::/16']).allowed).toBe(false);
    });

    it('allows any address of an allow-listed host name, matched exactly and case-insensitively', () => {
      const policy = new AddressPolicy(['CMS.internal', 'localhost']);
      const loopback = parseAddress('127.0.0.1')!;
      expect(policy.check('cms.internal', loopback).allowed).toBe(true);
      expect(policy.check('localhost.', loopback).allowed).toBe(true);
      expect(policy.check('evil.cms.internal', loopback).allowed).toBe(false);
      expect(policy.check('cms.internal.evil.com', loopback).allowed).toBe(false);
    });

    it('rejects a malformed CIDR at construction', () => {
      expect(() => new AddressPolicy(['10.0.0.0/99'])).toThrow();
    });
  });
});
