import ipaddr from 'ipaddr.js';

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name of the effective address, e.g. 'loopback', 'linkLocal', 'unicast'. */
  range: string;
}

/** Parses an IP literal (also bracketed IPv6); undefined when `value` is not an IP address. */
export function parseAddress(value: string): ParsedAddress | undefined {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (!ipaddr.isValid(bare)) return undefined;
  // IPv6 zone ids (fe80::1%eth0) are accepted by ipaddr.js; the range is what matters.
  return unwrapMapped(ipaddr.parse(bare));
}

/** `::ffff:127.0.0.1` must be judged as 127.0.0.1, not as an IPv6 'ipv4Mapped' address. */
function unwrapMapped(address: ParsedAddress): ParsedAddress {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/** Only globally routable unicast addresses pass; every special range ipaddr.js knows is refused. */
export function isPublicAddress(address: ParsedAddress): AddressVerdict {
  const range = unwrapMapped(address).range();
  return { allowed: range === 'unicast', range };
}

type CidrEntry = [ParsedAddress, number];

/**
 * FETCH_ALLOW_HOSTS: exact host names (case-insensitive) or CIDRs / single addresses that may be
 * private (e.g. a loopback test server, an internal CMS).
 */
export class AddressPolicy {
  private readonly hostNames = new Set<string>();
  private readonly cidrs: CidrEntry[] = [];

  constructor(allowHosts: readonly string[] = []) {
    for (const raw of allowHosts) {
      const entry = raw.trim().toLowerCase();
      if (entry.length === 0) continue;
      if (entry.includes('/')) {
        const [address, bits] = ipaddr.parseCIDR(entry);
        this.cidrs.push([
          unwrapMapped(address),
          address.kind() === 'ipv6' && unwrapMapped(address).kind() === 'ipv4' ? bits - 96 : bits,
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
    const effective = unwrapMapped(address);
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
}
