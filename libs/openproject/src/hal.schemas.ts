import { z } from 'zod';

/**
 * The parts of OpenProject's API v3 HAL representations this project reads. Objects are loose:
 * OpenProject adds properties between versions and every custom field is a property of its own.
 */

export const halLinkSchema = z.looseObject({
  href: z.string().nullable(),
  title: z.string().optional(),
});
export type HalLink = z.infer<typeof halLinkSchema>;

/** OpenProject's rich text: `raw` as the editor typed it, `html` as it renders. */
export const formattableSchema = z.looseObject({
  format: z.string().optional(),
  raw: z.string().nullable().optional(),
  html: z.string().nullable().optional(),
});
export type Formattable = z.infer<typeof formattableSchema>;

export function collectionSchema<Element extends z.ZodType>(element: Element) {
  return z.looseObject({
    /** `Collection`, or a specialised name such as `WorkPackageCollection`. */
    _type: z.string(),
    total: z.number().int().nonnegative(),
    count: z.number().int().nonnegative(),
    pageSize: z.number().int().nonnegative().optional(),
    offset: z.number().int().nonnegative().optional(),
    _embedded: z.looseObject({ elements: z.array(element) }),
  });
}

export const attachmentSchema = z.looseObject({
  id: z.number().int().positive(),
  fileName: z.string().min(1),
  /** Spelled `filesize` by some OpenProject versions. */
  fileSize: z.number().int().nonnegative().optional(),
  filesize: z.number().int().nonnegative().optional(),
  contentType: z.string().min(1),
  digest: z.looseObject({ algorithm: z.string(), hash: z.string() }).nullable().optional(),
  _links: z.looseObject({
    self: halLinkSchema.optional(),
    downloadLocation: halLinkSchema.optional(),
    staticDownloadLocation: halLinkSchema.optional(),
  }),
});
export type OpenProjectAttachment = z.infer<typeof attachmentSchema>;

export const attachmentCollectionSchema = collectionSchema(attachmentSchema);

export const workPackageSchema = z.looseObject({
  id: z.number().int().positive(),
  lockVersion: z.number().int().nonnegative(),
  subject: z.string(),
  description: formattableSchema.nullable().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().min(1),
  _links: z.looseObject({
    self: halLinkSchema,
    schema: halLinkSchema,
    type: halLinkSchema,
    status: halLinkSchema,
    project: halLinkSchema.optional(),
    attachments: halLinkSchema.optional(),
  }),
  _embedded: z.looseObject({ attachments: attachmentCollectionSchema.optional() }).optional(),
});
/** A work package; custom fields are the `customFieldN` keys beside the typed ones. */
export type OpenProjectWorkPackage = z.infer<typeof workPackageSchema>;

export const workPackageCollectionSchema = collectionSchema(workPackageSchema);
export type WorkPackageCollection = z.infer<typeof workPackageCollectionSchema>;

/** One property of a work-package schema, e.g. `customField12: { type: 'String', name: 'cleanUrl' }`. */
export const schemaPropertySchema = z.looseObject({
  type: z.string(),
  name: z.string(),
  /** `_links` for list-valued fields (custom options, users, versions). */
  location: z.string().optional(),
});
export type SchemaProperty = z.infer<typeof schemaPropertySchema>;

export const workPackageSchemaSchema = z.looseObject({
  _type: z.literal('Schema'),
  _links: z.looseObject({ self: halLinkSchema }).optional(),
});

export const CUSTOM_FIELD_KEY = /^customField(\d+)$/;

/** A work-package schema reduced to what matters here: the custom fields by key. */
export interface WorkPackageFormSchema {
  href: string;
  customFields: Map<string, SchemaProperty>;
}

export const typeSchema = z.looseObject({
  _type: z.literal('Type'),
  id: z.number().int().positive(),
  name: z.string(),
});
export type OpenProjectType = z.infer<typeof typeSchema>;

export const statusSchema = z.looseObject({
  _type: z.literal('Status'),
  id: z.number().int().positive(),
  name: z.string(),
  isClosed: z.boolean().optional(),
});
export type OpenProjectStatus = z.infer<typeof statusSchema>;

export const statusCollectionSchema = collectionSchema(statusSchema);

/** The answer to `POST /api/v3/work_packages/{id}/activities`: the journal entry holding the comment. */
export const commentActivitySchema = z.looseObject({
  _type: z.literal('Activity::Comment'),
  id: z.number().int().positive(),
  comment: formattableSchema,
  _links: z.looseObject({ workPackage: halLinkSchema.optional() }).optional(),
});
export type OpenProjectCommentActivity = z.infer<typeof commentActivitySchema>;
