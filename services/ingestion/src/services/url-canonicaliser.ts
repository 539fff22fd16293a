const TRACKING_PARAMETER = /^utm_/i;

export class InvalidUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUrlError';
  }
}

/**
 * The form of a URL that names one item: WHATWG parsing lower-cases the host and drops the
 * default port; the fragment and `utm_*` tracking parameters are dropped as well.
 */
export function canonicaliseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidUrlError(`not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidUrlError(`only http and https URLs are accepted, not ${url.protocol}`);
  }
  url.hash = '';
  const tracking = new Set(
    [...url.searchParams.keys()].filter((name) => TRACKING_PARAMETER.test(name)),
  );
  // Touching searchParams re-encodes the query, so it is touched only when there is something to drop.
  for (const name of tracking) url.searchParams.delete(name);
  if (!url.search) url.search = '';
  return url.toString();
}
