import type { HalLink } from './hal.schemas';

/** The numeric id at the end of an API v3 href such as `/api/v3/types/7`, if it names that resource. */
export function idFromHref(href: string | null | undefined, resource: string): number | undefined {
  if (!href) return undefined;
  const match = new RegExp(`/api/v3/${resource}/(\\d+)/?$`).exec(href);
  return match ? Number(match[1]) : undefined;
}

/** `_links` entries may be one link or, for multi-valued fields, an array of links. */
export function linksOf(value: unknown): HalLink[] {
  const candidates = Array.isArray(value)
    ? value
    : value === undefined || value === null
      ? []
      : [value];
  return candidates.filter(
    (candidate): candidate is HalLink =>
      typeof candidate === 'object' && candidate !== null && 'href' in candidate,
  );
}
