import ipaddr from 'ipaddr.js';

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressVerdict {
  allowed: boolean;
  /**
   * ipaddr.js range name of the effective address ('loopback', 'linkLocal', 'unicast', ...), or
   * one of ours: 'ipv4Compatible' (`::/96`), 'notGlobalUnicast' (IPv6 outside 2000::/3).
   */
  range: string;
}

/** Ports a URL may name unless FETCH_ALLOWED_PORTS widens the set or its host is allow-listed. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** Parses an IP literal (also bracketed IPv6); undefined when `value` is not an IP address. */
export function parseAddress(value: string): ParsedAddress | undefined {
  const bare = canonicalIPv6(
    value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value,
  );
  if (!ipaddr.isValid(bare)) return undefined;
  // IPv6 zone ids (fe80::1%eth0) are accepted by ipaddr.js; the range is what matters.
  return unwrapEmbeddedIPv4(ipaddr.parse(bare));
}

/**
 * ipaddr.js reads `::a.b.c.d` as the mapped `::ffff:a.b.c.d`; the network stack and the WHATWG
 * URL parser read it as the IPv4-compatible `::xxxx:xxxx`, which is what would be dialled.
 */
function canonicalIPv6(value: string): string {
  if (!value.includes(':') || !value.includes('.')) return value;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value;
  }
}

/**
 * Addresses that carry an IPv4 address to reach it (`::ffff:a.b.c.d` mapped, `::ffff:0:a.b.c.d`
 * translated, `64:ff9b::a.b.c.d` NAT64) are judged as that IPv4 address: NAT64 is how an
 * IPv6-only cluster reaches public IPv4 sites, and `64:ff9b::7f00:1` must still count as loopback.
 */
function unwrapEmbeddedIPv4(address: ParsedAddress): ParsedAddress {
  if (address.kind() !== 'ipv6') return address;
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || v6.match(NAT64_WELL_KNOWN)) {
    return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  return address;
}

/**
 * An allow-list: an IPv4 address passes only in ipaddr.js's 'unicast' range, an IPv6 address only
 * in 'unicast' and inside 2000::/3 (the only block IANA allocates for global unicast). That
 * refuses every special range ipaddr.js names (6to4, teredo, orchid2, amt, as112v6, benchmarking,
 * the NAT64 local-use /48, ...) and the ones it calls 'unicast' although nothing public lives there,
 * above all the deprecated IPv4-compatible `::/96` (`[::169.254.169.254]`).
 */
export function isPublicAddress(address: ParsedAddress): AddressVerdict {
  const effective = unwrapEmbeddedIPv4(address);
  const range = effective.range();
  if (range !== 'unicast') return { allowed: false, range };
  if (effective.kind() === 'ipv6') {
    const v6 = effective as ipaddr.IPv6;
    if (v6.match(IPV4_COMPATIBLE)) return { allowed: false, range: 'ipv4Compatible' };
    if (!v6.match(GLOBAL_UNICAST)) return { allowed: false, range: 'notGlobalUnicast' };
  }
  return { allowed: true, range };
}

type CidrEntry = [ParsedAddress, number];

/**
 * FETCH_ALLOW_HOSTS: exact host names (case-insensitive) or CIDRs / single addresses that may be
 * private (e.g. a loopback test server, an internal CMS), on any port. Every other URL may only
 * name a port of `allowedPorts` (80, 443 and FETCH_ALLOWED_PORTS).
 */
export class AddressPolicy {
  private readonly hostNames = new Set<string>();
  private readonly cidrs: CidrEntry[] = [];
  private readonly ports: ReadonlySet<number>;

  constructor(allowHosts: readonly string[] = [], allowedPorts: readonly number[] = []) {
    this.ports = new Set([...DEFAULT_ALLOWED_PORTS, ...allowedPorts]);
    for (const raw of allowHosts) {
      const entry = raw.trim().toLowerCase();
      if (entry.length === 0) continue;
      if (entry.includes('/')) {
        const [address, bits] = ipaddr.parseCIDR(entry);
        const effective = unwrapEmbeddedIPv4(address);
        this.cidrs.push([
          effective,
          address.kind() === 'ipv6' && effective.kind() === 'ipv4' ? bits - 96 : bits,
        ]);
        continue;
      }
      const address = parseAddress(entry);
      if (address) this.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      else this.hostNames.add(entry.replace(/\.$/, ''));
    }
  }

  isHostAllowListed(hostName: string): boolean {
    return this.hostNames.has(hostName.toLowerCase().replace(/\.$/, ''));
  }

  isAddressAllowListed(address: ParsedAddress): boolean {
    const effective = unwrapEmbeddedIPv4(address);
    return this.cidrs.some(
      ([network, bits]) => network.kind() === effective.kind() && effective.match(network, bits),
    );
  }

  /** The decision for one address that `hostName` resolved to (or that the URL named literally). */
  check(hostName: string, address: ParsedAddress): AddressVerdict {
    const verdict = isPublicAddress(address);
    if (verdict.allowed) return verdict;
    if (this.isHostAllowListed(hostName) || this.isAddressAllowListed(address)) {
      return { allowed: true, range: verdict.range };
    }
    return verdict;
  }

  /**
   * Whether a URL with this host may name this port. An allow-listed host (a listed name, or a
   * literal address inside a listed CIDR) keeps any port; a name that merely resolves into a
   * listed CIDR does not, since the port is decided before the name is resolved.
   */
  isPortAllowed(hostName: string, port: number): boolean {
    if (this.ports.has(port) || this.isHostAllowListed(hostName)) return true;
    const literal = parseAddress(hostName);
    return literal !== undefined && this.isAddressAllowListed(literal);
  }
}
