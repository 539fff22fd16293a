/**
 * Front-matter keys are written as plain YAML keys. One taken from a page must read back as the
 * same string under YAML 1.1 (go-yaml, js-yaml's merge keys) and 1.2: only `[a-z0-9._-]`, a
 * letter first (a digit, `.` or `-` could start a number, date or `.inf`; `_` leads to
 * `__proto__`), and none of the words YAML 1.1 reads as booleans or null.
 */
const FRONT_MATTER_KEY = /^[a-z][a-z0-9._-]*$/;
const YAML_1_1_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/** DESIGN.md's key rule (`og:site_name` → `ogsite_name`, case-insensitive), or undefined for a key that may not be published. */
export function frontMatterKey(name: string): string | undefined {
  const key = name.trim().toLowerCase().replace(/:/g, '');
  return FRONT_MATTER_KEY.test(key) && !YAML_1_1_WORDS.has(key) ? key : undefined;
}
