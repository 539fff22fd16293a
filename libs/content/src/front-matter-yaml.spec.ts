import { load } from 'js-yaml';
import { parse, stringify } from 'yaml';
import { FRONT_MATTER_YAML_OPTIONS, frontMatterYaml } from './front-matter-yaml';

const byYamlLibrary = (value: object) => stringify(value, FRONT_MATTER_YAML_OPTIONS);

/** Every shape front matter has, with strings YAML readers like to take for something else. */
const frontMatter = {
  aliases: '/news/a-title',
  author: ['Radhika Narayanan', ''],
  breadcrumbLinks: ['/', '/news/', ''],
  empty: [],
  emptyObject: {},
  onlyUndefined: { a: undefined },
  skipped: undefined,
  date: '2021-09-01',
  time: '2021-08-31T10:44:37-04:00',
  looksLike: ['yes', 'no', 'on', 'off', 'null', '~', 'true', '1e3', '0x1F', '.inf', '012', '1_000'],
  syntax: [
    '- item',
    'key: value',
    '# comment',
    '&anchor',
    '*alias',
    '!!binary',
    '|',
    '>',
    '---',
    '...',
  ],
  quotes: 'He said "hi" \\ and left\n\ttabbed\r\n',
  unicode: '‘What Good Looks Like’ — 日本語 😀',
  controls: '\u0000\u0007\u001b',
  id: 7614,
  negative: -3,
  fraction: 1.5,
  large: 1e21,
  negativeZero: -0,
  valid: true,
  invalid: false,
  nothing: null,
  featuredImage: {
    alt: 'NHSX',
    size: [666, 1000],
    wpAttachment: { fileName: 'a.jpg', link: '/api/v3/attachments/1/content' },
    source: undefined,
  },
  htmlMetaData: { 'msvalidate.01': 'E23', 'yandex-verification': '4b8', og_site: null },
  relatedOfferings: [
    { label: "H1's HCP Universe", categories: ['A', 'B'], offeringId: 13376, extra: {} },
    { label: 'Doktor.se', categories: [], offeringId: 10541 },
  ],
  mixed: [null, 1, 'one', { nested: [{ deeper: ['x'] }] }],
};

describe('frontMatterYaml', () => {
  it('writes what the yaml library writes with the front-matter options, byte for byte', () => {
    expect(frontMatterYaml(frontMatter)).toBe(byYamlLibrary(frontMatter));
  });

  it('reads back as the same object under js-yaml, yaml 1.2 and yaml 1.1', () => {
    const text = frontMatterYaml(frontMatter);
    // What was written, without its undefined values (JSON drops them, and the sign of -0).
    const expected = { ...(JSON.parse(JSON.stringify(frontMatter)) as object), negativeZero: -0 };
    expect(load(text)).toEqual(expected);
    expect(parse(text)).toEqual(expected);
    expect(parse(text, { version: '1.1' })).toEqual(expected);
  });

  it('escapes what JSON leaves raw but YAML cannot read back (C1 controls, NEL, LS, PS, BOM)', () => {
    const value = { text: 'a\u007fb\u0085c\u0080d\u2028e\u2029f\ufeffg' };
    const text = frontMatterYaml(value);
    expect(text).toBe('text: "a\\u007fb\\u0085c\\u0080d\\u2028e\\u2029f\\ufeffg"\n');
    expect(load(text)).toEqual(value);
    expect(parse(text, { version: '1.1' })).toEqual(value);
  });

  it.each([
    ['a key YAML 1.1 reads as a boolean', { yes: 'x' }],
    ['a key that needs quoting', { 'a b': 'x', ok: 'y' }],
    ['a key that starts with an underscore', { _x: 1 }],
    ['a sequence in a sequence', { size: [[1, 2], []] }],
    ['a number JSON cannot write', { ratio: Number.NaN, far: Number.POSITIVE_INFINITY }],
    ['an undefined sequence entry', { list: [undefined, 'x'] }],
    ['an empty document', {}],
  ])('leaves %s to the yaml library', (_shape, value) => {
    expect(frontMatterYaml(value)).toBe(byYamlLibrary(value));
  });

  it('writes an object with no prototype like any other', () => {
    const value = Object.assign(Object.create(null) as object, { a: 'b' });
    expect(frontMatterYaml({ meta: value })).toBe('meta:\n  a: "b"\n');
  });
});
