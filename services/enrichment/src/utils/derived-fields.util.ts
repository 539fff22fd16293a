import { slugify } from '@curation/content';
import { parse } from 'tldts';

export interface DerivedFields {
  brand: string;
  slug: string;
}

const MAX_SLUG_LENGTH = 120;

/** brand = registrable domain without `www.`; slug = brand name without its public suffix + `-` + title. */
export function deriveFields(url: string, title: string): DerivedFields {
  const parsed = parse(url);
  const hostname = (parsed.hostname ?? new URL(url).hostname).replace(/^www\./, '');
  const brand = parsed.domain ?? hostname;
  const brandName = parsed.domainWithoutSuffix || slugify(hostname);
  const slug = [slugify(brandName), slugify(title)]
    .filter(Boolean)
    .join('-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
  return { brand, slug: slug || 'item' };
}
