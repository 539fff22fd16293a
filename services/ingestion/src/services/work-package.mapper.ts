import { httpUrl, type Attachment, type ItemReceivedData } from '@curation/contracts';
import {
  idFromHref,
  readCustomField,
  resolveCustomFieldKey,
  type CustomFieldValue,
  type OpenProjectAttachment,
  type OpenProjectWorkPackage,
  type WorkPackageFormSchema,
} from '@curation/openproject';
import { chooseFeaturedImage } from './featured-image';

/** The custom fields the pipeline reads, by the name editors gave them in OpenProject. */
export const CUSTOM_FIELD_NAMES = ['cleanUrl', 'sourceUrl', 'medigyTopics'] as const;
export type CustomFieldName = (typeof CUSTOM_FIELD_NAMES)[number];
/** `customFieldN` key of each field in one work-package schema. */
export type CustomFieldKeys = Record<CustomFieldName, string>;

export interface MappingSettings {
  openProjectBaseUrl: string;
  featuredImageNames: string[];
}

export function workPackageTypeId(workPackage: OpenProjectWorkPackage): number | undefined {
  return idFromHref(workPackage._links.type.href, 'types');
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
  const descriptionHtml = workPackage.description?.html?.trim();
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
