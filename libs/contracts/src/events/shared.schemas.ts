import { z } from 'zod';

export const httpUrl = z.url({ protocol: /^https?$/ });

/** A catalogue offering as the published document links it. */
export const offeringLinkSchema = z.object({
  label: z.string().min(1),
  permalink: z.string().regex(/^\/offering\/[a-z0-9-]+$/),
  categories: z.array(z.string().min(1)),
  offeringId: z.number().int().positive(),
});
export type OfferingLink = z.infer<typeof offeringLinkSchema>;

/** A work-package attachment, as OpenProject's API v3 describes it. */
export const attachmentSchema = z.object({
  id: z.number().int().positive(),
  fileName: z.string().min(1),
  contentType: z.string().min(1),
  fileSize: z.number().int().nonnegative(),
  /** API path, as the published document shows it: `/api/v3/attachments/<id>/content`. */
  link: z.string().startsWith('/'),
  downloadUrl: httpUrl,
  digest: z.object({ algorithm: z.string(), hash: z.string() }).optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const workPackageRefSchema = z.object({
  id: z.number().int().positive(),
  baseUrl: httpUrl,
  lockVersion: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime({ offset: true }),
  typeName: z.string(),
  statusName: z.string().optional(),
});
export type WorkPackageRef = z.infer<typeof workPackageRefSchema>;

export const customFieldValue = z.union([z.string(), z.array(z.string()), z.null()]);
