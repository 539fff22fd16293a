import { z } from 'zod';

/** The constants a content type puts into every published document's front matter. */
export interface ContentTypeSettings {
  /** The OpenProject work-package type this content type is made from. */
  openProjectWorkPackageType: string;
  archetype: string;
  contentCategories: string;
  layOut: string;
  source: string;
  sub: string;
  /** The site section: `identifier`, `searchCategory`, `tags` and the middle breadcrumb. */
  category: string;
  basePath: string;
  mastHead: string;
  homeLabel: string;
  homePath: string;
  via: string;
  status: string;
  institution: string | null;
  offering: string | null;
  favIconImage: string | null;
  featuredPdf: string | null;
  insightsDescription: string | null;
  insightsName: string | null;
  viaLink: string | null;
}

export const ContentType = { CuratedContent: 'curated-content' } as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export const DEFAULT_CONTENT_TYPE: ContentType = ContentType.CuratedContent;

export const CONTENT_TYPES: Readonly<Record<ContentType, ContentTypeSettings>> = {
  [ContentType.CuratedContent]: {
    openProjectWorkPackageType: 'Curated Content',
    archetype: 'curated-content',
    contentCategories: 'netspective-medigy-news-curated-content',
    layOut: 'single',
    source: 'open-project-curations',
    sub: 'brief',
    category: 'News',
    basePath: '/news/',
    mastHead: 'NEWS',
    homeLabel: 'Home',
    homePath: '/',
    via: ' ',
    status: '',
    institution: null,
    offering: null,
    favIconImage: null,
    featuredPdf: null,
    insightsDescription: null,
    insightsName: null,
    viaLink: null,
  },
};

const nullableText = z.string().nullable();

const contentTypeSettingsSchema = z
  .object({
    openProjectWorkPackageType: z.string().min(1),
    archetype: z.string().min(1),
    contentCategories: z.string().min(1),
    layOut: z.string().min(1),
    source: z.string().min(1),
    sub: z.string(),
    category: z.string().min(1),
    basePath: z.string().regex(/^\/([a-z0-9-]+\/)*$/, 'a path such as /news/'),
    mastHead: z.string(),
    homeLabel: z.string().min(1),
    homePath: z.string().startsWith('/'),
    via: z.string(),
    status: z.string(),
    institution: nullableText,
    offering: nullableText,
    favIconImage: nullableText,
    featuredPdf: nullableText,
    insightsDescription: nullableText,
    insightsName: nullableText,
    viaLink: nullableText,
  })
  .strict()
  .partial();

export const contentTypeOverridesSchema = z
  .object({ [ContentType.CuratedContent]: contentTypeSettingsSchema.optional() })
  .strict();
export type ContentTypeOverrides = z.infer<typeof contentTypeOverridesSchema>;

/** The built-in constants with the operator's overrides applied. */
export function resolveContentTypes(
  overrides: ContentTypeOverrides,
): Record<ContentType, ContentTypeSettings> {
  return Object.fromEntries(
    Object.entries(CONTENT_TYPES).map(([key, settings]) => [
      key,
      { ...settings, ...overrides[key as ContentType] },
    ]),
  ) as Record<ContentType, ContentTypeSettings>;
}
