import {
  CustomFieldMappingError,
  customFieldKey,
  readCustomField,
  resolveCustomFieldKey,
} from './custom-fields';
import { workPackageSchema, type SchemaProperty, type WorkPackageFormSchema } from './hal.schemas';

function schemaOf(fields: Record<string, SchemaProperty>): WorkPackageFormSchema {
  return {
    href: '/api/v3/work_packages/schemas/3-7',
    customFields: new Map(Object.entries(fields)),
  };
}

const schema = schemaOf({
  customField12: { type: 'String', name: 'cleanUrl' },
  customField13: { type: 'String', name: 'sourceUrl' },
  customField21: { type: '[]CustomOption', name: 'medigyTopics', location: '_links' },
});

const workPackage = workPackageSchema.parse({
  id: 7614,
  lockVersion: 3,
  subject: 'x',
  updatedAt: '2021-09-01T08:27:50.622767Z',
  customField12: 'https://a.example/x',
  customField14: { format: 'markdown', raw: 'long *text*', html: '<p>long <em>text</em></p>' },
  customField15: 42,
  customField16: null,
  _links: {
    self: { href: '/api/v3/work_packages/7614' },
    schema: { href: '/api/v3/work_packages/schemas/3-7' },
    type: { href: '/api/v3/types/7', title: 'Curated Content' },
    status: { href: '/api/v3/statuses/1', title: 'New' },
    customField21: [
      { href: '/api/v3/custom_options/201', title: 'HIMSS: Digital Health' },
      { href: '/api/v3/custom_options/202', title: 'Symplur: Healthcare Providers' },
    ],
    customField22: { href: '/api/v3/custom_options/301', title: 'Single choice' },
    customField23: { href: null },
  },
});

describe('custom-field mapping', () => {
  it('finds a field by its name, ignoring case and surrounding blanks', () => {
    expect(resolveCustomFieldKey(schema, 'cleanUrl')).toBe('customField12');
    expect(resolveCustomFieldKey(schema, ' MEDIGYTOPICS ')).toBe('customField21');
  });

  it('prefers a configured id, given as a number or a key', () => {
    expect(resolveCustomFieldKey(schema, 'cleanUrl', '13')).toBe('customField13');
    expect(resolveCustomFieldKey(schema, 'cleanUrl', 'customField13')).toBe('customField13');
  });

  it('fails loudly on a configured id the schema lacks, a missing name, or an ambiguous name', () => {
    expect(() => resolveCustomFieldKey(schema, 'cleanUrl', '99')).toThrow(/customField99/);
    expect(() => resolveCustomFieldKey(schema, 'brand')).toThrow(CustomFieldMappingError);
    const twice = schemaOf({
      customField1: { type: 'String', name: 'cleanUrl' },
      customField2: { type: 'String', name: 'cleanurl' },
    });
    expect(() => resolveCustomFieldKey(twice, 'cleanUrl')).toThrow(/customField1, customField2/);
    expect(() => customFieldKey('clean')).toThrow(CustomFieldMappingError);
  });

  it('reads plain values, long text, numbers and empty fields', () => {
    expect(readCustomField(workPackage, 'customField12')).toBe('https://a.example/x');
    expect(readCustomField(workPackage, 'customField14')).toBe('long *text*');
    expect(readCustomField(workPackage, 'customField15')).toBe('42');
    expect(readCustomField(workPackage, 'customField16')).toBeNull();
    expect(readCustomField(workPackage, 'customField99')).toBeNull();
  });

  it('reads list values from _links as titles: an array when multi-valued', () => {
    expect(readCustomField(workPackage, 'customField21')).toEqual([
      'HIMSS: Digital Health',
      'Symplur: Healthcare Providers',
    ]);
    expect(readCustomField(workPackage, 'customField22')).toBe('Single choice');
    expect(readCustomField(workPackage, 'customField23')).toBeNull();
  });
});
