import { FRONT_MATTER_PAGE_KEYS as PAGE_KEYS } from '@curation/content';
import type { OfferingLink, Rendition } from '@curation/contracts';

type MetaRecord = Record<string, string | null>;

export interface FrontMatterImage {
  alt: string;
  format?: string;
  href?: string;
  size?: [number, number];
  valid: boolean;
  workPackage: number | null;
  wpAttachment?: { fileName: string; link: string };
  /** `page` when the work package's attachment could not be used and the page's image stands in. */
  source?: 'page';
}

/** The published document's front matter; keys in the order the site's documents list them. */
export interface FrontMatter {
  aliases: string;
  archetype: string;
  author: string[];
  basePath: string;
  breadcrumbLinks: string[];
  breadcrumbs: string[];
  categories: string[];
  categorySlug: string[];
  categoryUrl: string[];
  categoryLabel: string[];
  contentCategories: string;
  institution: string | null;
  offering: string | null;
  layOut: string;
  date: string;
  description: string;
  favIconImage: string | null;
  featuredImage: FrontMatterImage;
  featuredPdf: string | null;
  htmlMetaData: MetaRecord;
  id: number | null;
  identifier: string;
  lastMod: string;
  link: { brand: string; href: string; original: string };
  href: string;
  original: string;
  mastHead: string;
  mdName: string;
  openGraphMetaData: MetaRecord;
  openProjectCustomFields: Record<string, string | string[] | null>;
  /** Null for a generic submission: it never came from OpenProject. */
  openProjectWorkPackageType: string | null;
  searchCategory: string;
  slug: string;
  source: string;
  status: string;
  sub: string;
  tags: string[];
  title: string;
  via: string;
  insights_description: string | null;
  insights_name: string | null;
  viaLink: string | null;
  relatedOfferings: OfferingLink[];
  twitterMetaData: MetaRecord;
  // What the page said of itself, after every key the reference document has (null when unknown).
  /** The article's own publication time (ISO-8601, UTC). */
  publishedAt: string | null;
  modifiedAt: string | null;
  canonicalUrl: string | null;
  siteName: string | null;
  lang: string | null;
  publisher: string | null;
  /** A tiny blurred preview of the featured image, as a `data:image/webp;base64,...` URI. */
  featuredImagePlaceholder: string | null;
  /** `#rrggbb`. */
  featuredImageDominantColor: string | null;
}

/** Every page key is a front-matter field (checked by the compiler). */
export const FRONT_MATTER_PAGE_KEYS: ReadonlyArray<keyof FrontMatter> = PAGE_KEYS;

/** What OpenSearch stores per item: searchable fields plus the front matter, kept but not indexed. */
export interface SearchDocument {
  itemId: string;
  revision: number;
  contentType: string;
  workPackageId: number | null;
  title: string;
  description: string;
  body: string;
  categories: string[];
  categoryLabels: string[];
  brand: string;
  offeringIds: string[];
  url: string;
  slug: string;
  documentKey: string;
  imageKey: string | null;
  date: string;
  lastMod: string;
  publishedAt: string | null;
  /** `publishedAt` when known, else `lastMod`: the date search filters and sorts on. */
  sortDate: string;
  modifiedAt: string | null;
  canonicalUrl: string | null;
  siteName: string | null;
  lang: string | null;
  publisher: string | null;
  placeholder: string | null;
  dominantColor: string | null;
  /** Every stored rendition of the featured image (stored, not indexed): not in the front matter. */
  renditions: Rendition[];
  frontMatter: FrontMatter;
}

export interface PublishedDocument {
  itemId: string;
  revision: number;
  /** S3 key of the Markdown document: the front matter's `mdName`. */
  documentKey: string;
  search: SearchDocument;
}
