import ipaddr from 'ipaddr.js';

/**
 * Failure classes a caller of the status API may learn. A reason that names one of them is
 * shown as that class alone: the rest of it usually says where the pipeline looked.
 */
const RANGE =
  'private|reserved|loopback|link-?local|unspecified|multicast|unique-?local|carrier-?grade-?nat';

const FAILURE_CLASSES: Array<[RegExp, string]> = [
  [/\bscheme\b[^,;]*\bnot allowed\b/i, 'scheme not allowed'],
  [/\bport\b[^,;]*\bnot allowed\b/i, 'port not allowed'],
  [
    new RegExp(
      `\\((${RANGE})\\)|\\b(${RANGE}) (address|range|network|ip)\\b|\\b(address|host)\\b[^,;]*\\bnot allowed\\b`,
      'i',
    ),
    'address not allowed',
  ],
  [/\b(timeout|timed out|etimedout|deadline exceeded)\b/i, 'timeout'],
];

const ADDRESS = '[address]';
const LONGEST_REASON = 500;

// Candidates only: ipaddr.js decides what is an address, so times such as 12:30:45 survive.
const IPV6_CANDIDATE =
  /\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?:%[\w.-]+)?\]?(?::\d{1,5})?/gi;
const IPV4_CANDIDATE = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
// A host name with a port (`redis:6379`, `opensearch.internal:9200`): an internal endpoint.
// Not followed by `:` or `.`, so an ISO time (`2026-12-01T20:48:48Z`) is not one.
const HOST_AND_PORT = /\b(?=[a-z0-9.-]*[a-z])[a-z0-9][a-z0-9.-]*:\d{2,5}(?![:.\d])/gi;

function isIpv6Literal(candidate: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(candidate);
  const bare = (bracketed ? bracketed[1] : candidate).replace(/%[\w.-]+$/, '');
  if (ipaddr.IPv6.isValid(bare)) return true;
  // An unbracketed address followed by `:port`.
  return !bracketed && ipaddr.IPv6.isValid(bare.replace(/:\d{1,5}$/, ''));
}

function isIpv4Literal(candidate: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(candidate.replace(/:\d+$/, ''));
}

/**
 * What a failure reason may tell an API client: its class (`address not allowed`, `timeout`)
 * when it has one, else the reason with every IP literal and `host:port` replaced. The full
 * reason stays in the logs and the dead-letter headers.
 */
export function publicFailureReason(reason: string): string {
  for (const [pattern, failureClass] of FAILURE_CLASSES) {
    if (pattern.test(reason)) return failureClass;
  }
  const scrubbed = reason
    .replace(IPV6_CANDIDATE, (candidate) => (isIpv6Literal(candidate) ? ADDRESS : candidate))
    .replace(IPV4_CANDIDATE, (candidate) => (isIpv4Literal(candidate) ? ADDRESS : candidate))
    .replace(HOST_AND_PORT, ADDRESS);
  return scrubbed.length > LONGEST_REASON ? `${scrubbed.slice(0, LONGEST_REASON)}…` : scrubbed;
}
