import { issueLines } from '@curation/config';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** The constants a content type puts into every published document's front matter. */
export interface ContentTypeSettings {
  /** The OpenProject work-package type this content type is made from (work packages only). */
  openProjectWorkPackageType: string;
  archetype: string;
  contentCategories: string;
  layOut: string;
  /** `source` of a document made from an OpenProject work package. */
  source: string;
  /** `source` of a document made from a generic submission (`POST /v1/items`). */
  submissionSource: string;
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

/** Picks a content type for an item; the first rule that matches wins. */
export interface ContentTypeRule {
  /** Matches when one of the item's topics equals this (case-sensitive, as editors spell topics). */
  topic?: string;
  /** Matches when one of the item's topics starts with this. */
  topicPrefix?: string;
  /** Only items from this source; both when absent. */
  itemSource?: 'openproject' | 'submission';
  type: string;
}

/** Every content type, the rules that choose among them, and the type when none matches. */
export interface ContentTypeCatalog {
  defaultType: string;
  types: Readonly<Record<string, ContentTypeSettings>>;
  rules: readonly ContentTypeRule[];
}

export const DEFAULT_CONTENT_TYPE = 'curated-content';

/** The seed's News constants: what the reference document (work package 7614) is made with. */
export const CONTENT_TYPES: Readonly<Record<string, ContentTypeSettings>> = {
  [DEFAULT_CONTENT_TYPE]: {
    openProjectWorkPackageType: 'Curated Content',
    archetype: 'curated-content',
    contentCategories: 'netspective-medigy-news-curated-content',
    layOut: 'single',
    source: 'open-project-curations',
    submissionSource: 'submission',
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
const typeKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a lower-case key such as research');

const contentTypeSettingsSchema = z
  .object({
    openProjectWorkPackageType: z.string().min(1),
    archetype: z.string().min(1),
    contentCategories: z.string().min(1),
    layOut: z.string().min(1),
    source: z.string().min(1),
    submissionSource: z.string().min(1),
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
export type ContentTypeOverride = z.infer<typeof contentTypeSettingsSchema>;

/** `SEARCH_CONTENT_TYPE_OVERRIDES`: per type key, fields replacing its constants. */
export const contentTypeOverridesSchema = z.record(typeKey, contentTypeSettingsSchema);
export type ContentTypeOverrides = z.infer<typeof contentTypeOverridesSchema>;

const contentTypeRuleSchema = z
  .object({
    topic: z.string().min(1).optional(),
    topicPrefix: z.string().min(1).optional(),
    itemSource: z.enum(['openproject', 'submission']).optional(),
    type: typeKey,
  })
  .strict()
  .refine((rule) => (rule.topic === undefined) !== (rule.topicPrefix === undefined), {
    message: 'a rule names exactly one of topic or topicPrefix',
  });

/**
 * The `CONTENT_TYPES_FILE` document (JSON or YAML). A type that is not built in starts from the
 * default type's constants and must name its own `category` and `basePath`, so it can never
 * publish under the News section by accident.
 */
export const contentTypesFileSchema = z
  .object({
    default: typeKey.optional(),
    types: z.record(typeKey, contentTypeSettingsSchema).default({}),
    rules: z.array(contentTypeRuleSchema).max(500).default([]),
  })
  .strict()
  .superRefine((file, context) => {
    const known = new Set([...Object.keys(CONTENT_TYPES), ...Object.keys(file.types)]);
    for (const [key, settings] of Object.entries(file.types)) {
      if (key in CONTENT_TYPES) continue;
      for (const field of ['category', 'basePath'] as const) {
        if (settings[field] === undefined)
          context.addIssue({
            code: 'custom',
            path: ['types', key, field],
            message: `required for a type that is not built in`,
          });
      }
    }
    file.rules.forEach((rule, index) => {
      if (!known.has(rule.type))
        context.addIssue({
          code: 'custom',
          path: ['rules', index, 'type'],
          message: `unknown content type ${rule.type}`,
        });
    });
    if (file.default !== undefined && !known.has(file.default))
      context.addIssue({
        code: 'custom',
        path: ['default'],
        message: `unknown content type ${file.default}`,
      });
  });
export type ContentTypesFile = z.infer<typeof contentTypesFileSchema>;

/** Reads and validates the file at start-up: any problem names the file and the field. */
export function readContentTypesFile(path: string): ContentTypesFile {
  let document: unknown;
  try {
    // YAML 1.2 reads JSON too.
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const result = contentTypesFileSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  throw new Error(`${path}: ${issueLines(result.error, '(document)').join('; ')}`);
}

/** The built-in constants, then the file's types and rules, then the operator's overrides. */
export function resolveContentTypes(
  overrides: ContentTypeOverrides,
  file?: ContentTypesFile,
): ContentTypeCatalog {
  const defaultType = file?.default ?? DEFAULT_CONTENT_TYPE;
  const types: Record<string, ContentTypeSettings> = { ...CONTENT_TYPES };
  for (const [key, settings] of Object.entries(file?.types ?? {})) {
    types[key] = { ...(types[key] ?? CONTENT_TYPES[DEFAULT_CONTENT_TYPE]), ...settings };
  }
  for (const [key, settings] of Object.entries(overrides)) {
    if (!types[key]) throw new Error(`SEARCH_CONTENT_TYPE_OVERRIDES: unknown content type ${key}`);
    types[key] = { ...types[key], ...settings };
  }
  return { defaultType, types, rules: file?.rules ?? [] };
}

export interface ContentTypeInput {
  source: 'openproject' | 'submission';
  topics: readonly string[];
  workPackageTypeName?: string;
}

/**
 * The first rule matching the item's topics and source; else the type made from the item's
 * work-package type; else the default.
 */
export function chooseContentType(catalog: ContentTypeCatalog, item: ContentTypeInput): string {
  const rule = catalog.rules.find(
    (candidate) =>
      (candidate.itemSource === undefined || candidate.itemSource === item.source) &&
      item.topics.some((topic) =>
        candidate.topic !== undefined
          ? topic === candidate.topic
          : topic.startsWith(candidate.topicPrefix ?? '\u0000'),
      ),
  );
  if (rule) return rule.type;
  if (item.source === 'openproject' && item.workPackageTypeName !== undefined) {
    const byWorkPackageType = Object.entries(catalog.types).find(
      ([, settings]) => settings.openProjectWorkPackageType === item.workPackageTypeName,
    );
    if (byWorkPackageType) return byWorkPackageType[0];
  }
  return catalog.defaultType;
}
