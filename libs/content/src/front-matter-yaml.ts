import { stringify } from 'yaml';

/**
 * The `yaml` options the front matter was always written with: every string double-quoted (no
 * YAML reader, 1.1 or 1.2, can take it for a date, boolean or number), keys plain, no folding,
 * never `&anchor`/`*alias`.
 */
export const FRONT_MATTER_YAML_OPTIONS = {
  defaultStringType: 'QUOTE_DOUBLE',
  defaultKeyType: 'PLAIN',
  doubleQuotedAsJSON: true,
  lineWidth: 0,
  aliasDuplicateObjects: false,
} as const;

/** A key every YAML reader reads back as the same string when written plain. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
/**
 * Characters JSON leaves raw but YAML does not: C1 controls, DEL, U+FFFE and U+FFFF are not
 * printable in YAML, NEL, LS and PS are line breaks to a YAML 1.1 reader (folded to a space
 * inside quotes), and some readers drop a BOM.
 */
const NOT_YAML_PRINTABLE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const NOT_YAML_PRINTABLE_ALL = new RegExp(NOT_YAML_PRINTABLE.source, 'g');

/** Not a shape the fast writer handles: `yaml` writes the whole document instead. */
class Unusual extends Error {}

function quoted(value: string): string {
  const json = JSON.stringify(value);
  return NOT_YAML_PRINTABLE.test(json)
    ? json.replace(
        NOT_YAML_PRINTABLE_ALL,
        (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
    : json;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A scalar on the line it starts, or undefined for a collection. */
function scalar(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Unusual();
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
      if (!isPlainObject(value)) throw new Unusual();
      return Object.values(value).some((entry) => entry !== undefined) ? undefined : '{}';
    default:
      throw new Unusual();
  }
}

function writeMapping(
  object: Record<string, unknown>,
  indent: string,
  out: string[],
  firstPrefix: string,
): void {
  let prefix = firstPrefix;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined) continue;
    if (!PLAIN_KEY.test(key) || YAML_WORDS.test(key)) throw new Unusual();
    const line = scalar(value);
    if (line !== undefined) {
      out.push(`${prefix}${key}: ${line}\n`);
    } else {
      out.push(`${prefix}${key}:\n`);
      writeCollection(value as object, `${indent}  `, out);
    }
    prefix = indent;
  }
}

function writeCollection(value: object, indent: string, out: string[]): void {
  if (!Array.isArray(value)) {
    writeMapping(value as Record<string, unknown>, indent, out, indent);
    return;
  }
  for (const entry of value as unknown[]) {
    if (entry === undefined || Array.isArray(entry)) throw new Unusual();
    const line = scalar(entry);
    if (line !== undefined) out.push(`${indent}- ${line}\n`);
    else writeMapping(entry as Record<string, unknown>, `${indent}  `, out, `${indent}- `);
  }
}

/**
 * The front matter's YAML, written directly for the shapes front matter has (mappings with
 * plain keys, sequences, strings, finite numbers, booleans, null): the same text `yaml` writes
 * with `FRONT_MATTER_YAML_OPTIONS`, at a fraction of its cost, except that characters JSON
 * leaves raw but YAML may not read back are escaped. Any other shape goes to `yaml`.
 */
export function frontMatterYaml(frontMatter: object): string {
  try {
    if (Array.isArray(frontMatter) || scalar(frontMatter) !== undefined) throw new Unusual();
    const out: string[] = [];
    writeMapping(frontMatter as Record<string, unknown>, '', out, '');
    return out.join('');
  } catch (error) {
    if (!(error instanceof Unusual)) throw error;
    return stringify(frontMatter, FRONT_MATTER_YAML_OPTIONS);
  }
}
