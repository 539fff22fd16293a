import { httpUrl, type Attachment, type ItemReceivedData } from '@curation/contracts';
import { createHash } from 'node:crypto';
import {
  CUSTOM_FIELD_KEY,
  idFromHref,
  readCustomField,
  resolveCustomFieldKey,
  type CustomFieldValue,
  type OpenProjectAttachment,
  type OpenProjectWorkPackage,
  type WorkPackageFormSchema,
} from '@curation/openproject';
import { capDescription } from './description-cap';
import { chooseFeaturedImage } from './featured-image';

/** The custom fields the pipeline reads, by the name editors gave them in OpenProject. */
export const CUSTOM_FIELD_NAMES = ['cleanUrl', 'sourceUrl', 'medigyTopics'] as const;
export type CustomFieldName = (typeof CUSTOM_FIELD_NAMES)[number];
/** `customFieldN` key of each field in one work-package schema. */
export type CustomFieldKeys = Record<CustomFieldName, string>;

export interface MappingSettings {
  openProjectBaseUrl: string;
  featuredImageNames: string[];
  descriptionMaxBytes: number;
}

export function workPackageTypeId(workPackage: OpenProjectWorkPackage): number | undefined {
  return idFromHref(workPackage._links.type.href, 'types');
}

/** The label editors see for the work package's status. */
export function statusLabelOf(workPackage: OpenProjectWorkPackage): string {
  const status = workPackage._links.status;
  return status.title ?? `status ${idFromHref(status.href, 'statuses') ?? 'unknown'}`;
}

/**
 * Status ids of configured entries (ids, or names matched case-insensitively against the
 * instance's statuses), and the entries that name no status.
 */
export function statusIdsOf(
  entries: string[],
  statuses: Array<{ id: number; name: string }>,
): { ids: Set<number>; unknown: string[] } {
  const ids = new Set<number>();
  const unknown: string[] = [];
  for (const entry of entries) {
    const match = /^\d+$/.test(entry)
      ? statuses.find((status) => status.id === Number(entry))
      : statuses.find((status) => status.name.trim().toLowerCase() === entry.toLowerCase());
    if (match) ids.add(match.id);
    else unknown.push(entry);
  }
  return { ids, unknown };
}

/** The status label when the work package's status is not one of the published status ids. */
export function unapprovedStatusOf(
  workPackage: OpenProjectWorkPackage,
  publishStatusIds: ReadonlySet<number>,
): string | undefined {
  const id = idFromHref(workPackage._links.status.href, 'statuses');
  return id !== undefined && publishStatusIds.has(id) ? undefined : statusLabelOf(workPackage);
}

/**
 * A digest of what the pipeline publishes from a work package: subject, description, custom
 * fields, status, type and attachments. A comment or any other journal-only change bumps
 * `lockVersion` but leaves it unchanged.
 */
export function workPackageDigest(
  workPackage: OpenProjectWorkPackage,
  attachments: OpenProjectAttachment[],
): string {
  const customFields = (record: Record<string, unknown>) =>
    Object.keys(record)
      .filter((key) => CUSTOM_FIELD_KEY.test(key))
      .sort()
      .map((key) => [key, record[key]]);
  const material = {
    subject: workPackage.subject,
    description: workPackage.description?.raw ?? workPackage.description?.html ?? null,
    status: workPackage._links.status.href,
    type: workPackage._links.type.href,
    fields: customFields(workPackage),
    linkedFields: customFields(workPackage._links),
    attachments: attachments
      .map((attachment) => [
        attachment.id,
        attachment.fileName,
        attachment.fileSize ?? attachment.filesize ?? null,
        attachment.digest?.hash ?? null,
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** The status label when the work package's status is one of the unpublished ones (ids or names). */
export function unpublishedStatusOf(
  workPackage: OpenProjectWorkPackage,
  unpublishedStatuses: string[],
): string | undefined {
  const status = workPackage._links.status;
  const id = idFromHref(status.href, 'statuses');
  const name = status.title?.trim().toLowerCase();
  const unpublished = unpublishedStatuses.some((entry) =>
    /^\d+$/.test(entry) ? Number(entry) === id : entry.trim().toLowerCase() === name,
  );
  return unpublished ? (status.title ?? `status ${id}`) : undefined;
}

function asUrl(value: CustomFieldValue): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text && httpUrl.safeParse(text).success ? text : undefined;
}

function asList(value: CustomFieldValue): string[] {
  if (value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((entry) => entry.trim()).filter(Boolean);
}

function toAttachment(attachment: OpenProjectAttachment, baseUrl: string): Attachment {
  const link = `/api/v3/attachments/${attachment.id}/content`;
  const download =
    attachment._links.staticDownloadLocation?.href ??
    attachment._links.downloadLocation?.href ??
    link;
  return {
    id: attachment.id,
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    fileSize: attachment.fileSize ?? attachment.filesize ?? 0,
    link,
    downloadUrl: new URL(download, `${baseUrl.replace(/\/+$/, '')}/`).toString(),
    ...(attachment.digest
      ? { digest: { algorithm: attachment.digest.algorithm, hash: attachment.digest.hash } }
      : {}),
  };
}

/**
 * The `received` event data of a work package of the curated type, or `undefined` when it has
 * no usable URL (neither `cleanUrl` nor `sourceUrl` is an http(s) URL).
 */
export function toReceivedData(
  workPackage: OpenProjectWorkPackage,
  keys: CustomFieldKeys,
  attachments: OpenProjectAttachment[],
  settings: MappingSettings,
): ItemReceivedData | undefined {
  const cleanUrlValue = readCustomField(workPackage, keys.cleanUrl);
  const sourceUrlValue = readCustomField(workPackage, keys.sourceUrl);
  const cleanUrl = asUrl(cleanUrlValue);
  const sourceUrl = asUrl(sourceUrlValue);
  const url = cleanUrl ?? sourceUrl;
  if (!url) return undefined;
  const topics = asList(readCustomField(workPackage, keys.medigyTopics));
  const featured = chooseFeaturedImage(attachments, settings.featuredImageNames);
  const description = capDescription(
    workPackage.description?.html?.trim() ?? '',
    settings.descriptionMaxBytes,
  );
  const descriptionHtml = description.html;
  const subject = workPackage.subject.trim();
  return {
    source: 'openproject',
    workPackage: {
      id: workPackage.id,
      baseUrl: settings.openProjectBaseUrl,
      lockVersion: workPackage.lockVersion,
      updatedAt: workPackage.updatedAt,
      typeName: workPackage._links.type.title ?? '',
      ...(workPackage._links.status.title ? { statusName: workPackage._links.status.title } : {}),
    },
    url,
    originalUrl: sourceUrl ?? url,
    ...(subject ? { title: subject } : {}),
    ...(descriptionHtml ? { descriptionHtml } : {}),
    ...(description.cut ? { descriptionCut: description.cut } : {}),
    topics,
    ...(featured ? { attachment: toAttachment(featured, settings.openProjectBaseUrl) } : {}),
    updatedAt: workPackage.updatedAt,
    customFields: {
      cleanUrl: cleanUrl ?? null,
      medigyTopics: topics,
      sourceUrl: sourceUrl ?? null,
    },
  };
}

/** Each custom field's key in one schema: a configured id where given, else found by name. */
export function customFieldKeysOf(
  schema: WorkPackageFormSchema,
  configured: Partial<Record<CustomFieldName, string>>,
): CustomFieldKeys {
  return {
    cleanUrl: resolveCustomFieldKey(schema, 'cleanUrl', configured.cleanUrl),
    sourceUrl: resolveCustomFieldKey(schema, 'sourceUrl', configured.sourceUrl),
    medigyTopics: resolveCustomFieldKey(schema, 'medigyTopics', configured.medigyTopics),
  };
}
