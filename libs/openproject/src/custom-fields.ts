import {
  CUSTOM_FIELD_KEY,
  type OpenProjectWorkPackage,
  type WorkPackageFormSchema,
} from './hal.schemas';
import { linksOf } from './hal-links';

export type CustomFieldValue = string | string[] | null;

export class CustomFieldMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomFieldMappingError';
  }
}

/** Accepts `customField12` or `12` and returns `customField12`. */
export function customFieldKey(idOrKey: string | number): string {
  const text = String(idOrKey).trim();
  if (/^\d+$/.test(text)) return `customField${text}`;
  if (CUSTOM_FIELD_KEY.test(text)) return text;
  throw new CustomFieldMappingError(
    `"${text}" is neither a custom-field id nor a customFieldN key`,
  );
}

/**
 * Finds the key (`customFieldN`) of the custom field named `name` in a work-package schema.
 * A configured key wins, but must exist in the schema: a wrong id fails loudly instead of
 * silently reading an empty field.
 */
export function resolveCustomFieldKey(
  schema: WorkPackageFormSchema,
  name: string,
  configuredKey?: string,
): string {
  if (configuredKey) {
    const key = customFieldKey(configuredKey);
    if (!schema.customFields.has(key)) {
      throw new CustomFieldMappingError(
        `custom field ${key} (configured for "${name}") is not in schema ${schema.href}`,
      );
    }
    return key;
  }
  const wanted = name.trim().toLowerCase();
  const matches = [...schema.customFields].filter(
    ([, property]) => property.name.trim().toLowerCase() === wanted,
  );
  if (matches.length === 0) {
    throw new CustomFieldMappingError(`schema ${schema.href} has no custom field named "${name}"`);
  }
  if (matches.length > 1) {
    throw new CustomFieldMappingError(
      `schema ${schema.href} has ${matches.length} custom fields named "${name}" (${matches
        .map(([key]) => key)
        .join(', ')}): configure the id`,
    );
  }
  return matches[0][0];
}

/**
 * Reads a custom field from a work package: list values live in `_links.customFieldN`
 * (`{href, title}`, an array when multi-valued) and give their titles; plain values live
 * in `customFieldN` (long text as a Formattable, whose `raw` is the value).
 */
export function readCustomField(
  workPackage: OpenProjectWorkPackage,
  key: string,
): CustomFieldValue {
  const linked = (workPackage._links as Record<string, unknown>)[key];
  if (linked !== undefined && linked !== null) {
    const titles = linksOf(linked)
      .map((link) => link.title?.trim())
      .filter((title): title is string => Boolean(title));
    return Array.isArray(linked) ? titles : (titles[0] ?? null);
  }
  const plain = (workPackage as Record<string, unknown>)[key];
  if (plain === undefined || plain === null) return null;
  if (typeof plain === 'string') return plain;
  if (typeof plain === 'number' || typeof plain === 'boolean') return String(plain);
  if (typeof plain === 'object' && 'raw' in plain) {
    const raw = (plain as { raw?: unknown }).raw;
    return typeof raw === 'string' ? raw : null;
  }
  return null;
}
