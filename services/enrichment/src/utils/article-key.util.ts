import { getDomain } from 'tldts';

/**
 * The registrable domain (`bbc.co.uk` for `news.bbc.co.uk`, from the public-suffix list); a host
 * without one (an IP address, `localhost`) stands for itself.
 */
export function registrableDomain(url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return getDomain(hostname, { allowPrivateDomains: true }) ?? hostname;
}

/** A page may name any canonical URL: it counts only on the submitted URL's own site. */
export function isSameSite(url: string, other: string): boolean {
  const domain = registrableDomain(url);
  return domain !== undefined && domain === registrableDomain(other);
}

/**
 * One spelling per article: scheme, `www.`, fragment and a trailing slash do not make another
 * article; the query does (some sites address articles by it), in a stable order.
 */
export function normaliseArticleUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.sort();
  const host = parsed.host.toLowerCase().replace(/^www\./, '');
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${host}${path}${parsed.search}`;
}

/**
 * What identifies the article an item publishes: the page's canonical URL when it is on the
 * same registrable domain as the submitted URL, else the URL the page was fetched from.
 */
export function articleKeyOf(page: {
  submittedUrl: string;
  finalUrl: string;
  canonicalUrl?: string;
}): string {
  const { submittedUrl, finalUrl, canonicalUrl } = page;
  const chosen = canonicalUrl && isSameSite(canonicalUrl, submittedUrl) ? canonicalUrl : finalUrl;
  return normaliseArticleUrl(chosen);
}
