import { itemReceivedDataSchema } from '@curation/contracts';
import {
  attachmentSchema,
  schemaPropertySchema,
  workPackageSchema,
  type OpenProjectAttachment,
  type WorkPackageFormSchema,
} from '@curation/openproject';
import {
  attachmentJson,
  REFERENCE_ATTACHMENT,
  REFERENCE_BODY_HTML,
  REFERENCE_SUBJECT,
  REFERENCE_UPDATED_AT,
  REFERENCE_URL,
  STATUS,
  TASK_TYPE,
  workPackageJson,
  type WorkPackageOptions,
  workPackageSchemaJson,
} from '@curation/testing';
import {
  customFieldKeysOf,
  toReceivedData,
  unpublishedStatusOf,
  workPackageTypeId,
} from './work-package.mapper';

const BASE_URL = 'https://openproject.example.org';

function formSchema(): WorkPackageFormSchema {
  const json = workPackageSchemaJson();
  const customFields = new Map(
    Object.entries(json)
      .filter(([key]) => /^customField\d+$/.test(key))
      .map(([key, value]) => [key, schemaPropertySchema.parse(value)] as const),
  );
  return { href: '/api/v3/work_packages/schemas/3-7', customFields };
}

function load(options: WorkPackageOptions = {}) {
  const workPackage = workPackageSchema.parse(workPackageJson(options));
  const attachments = workPackage._embedded!.attachments!._embedded
    .elements as OpenProjectAttachment[];
  return { workPackage, attachments };
}

const keys = customFieldKeysOf(formSchema(), {});
const settings = {
  openProjectBaseUrl: BASE_URL,
  featuredImageNames: ['featured'],
  descriptionMaxBytes: 200 * 1024,
};

describe('work-package mapping', () => {
  it('maps the custom fields by name from the schema', () => {
    expect(keys).toEqual({
      cleanUrl: 'customField12',
      sourceUrl: 'customField13',
      medigyTopics: 'customField21',
    });
  });

  it('maps work package 7614 to the received data the reference document needs', () => {
    const { workPackage, attachments } = load();
    const data = toReceivedData(workPackage, keys, attachments, settings);
    expect(itemReceivedDataSchema.parse(data)).toEqual(data);
    expect(data).toEqual({
      source: 'openproject',
      workPackage: {
        id: 7614,
        baseUrl: BASE_URL,
        lockVersion: 9,
        updatedAt: REFERENCE_UPDATED_AT,
        typeName: 'Curated Content',
        statusName: 'New',
      },
      url: REFERENCE_URL,
      originalUrl: REFERENCE_URL,
      title: REFERENCE_SUBJECT,
      descriptionHtml: REFERENCE_BODY_HTML,
      topics: ['HIMSS: Digital Health'],
      attachment: {
        id: REFERENCE_ATTACHMENT.id,
        fileName: REFERENCE_ATTACHMENT.fileName,
        contentType: 'image/jpeg',
        fileSize: REFERENCE_ATTACHMENT.fileSize,
        link: '/api/v3/attachments/16644/content',
        downloadUrl: `${BASE_URL}/api/v3/attachments/16644/content`,
        digest: { algorithm: 'md5', hash: '7d6fbbe0ae6b1a4ef5b2b3c0b1c8c2a4' },
      },
      updatedAt: REFERENCE_UPDATED_AT,
      customFields: {
        cleanUrl: REFERENCE_URL,
        medigyTopics: ['HIMSS: Digital Health'],
        sourceUrl: REFERENCE_URL,
      },
    });
  });

  it('reads the legacy `filesize` spelling and leaves out an empty description', () => {
    const legacy = attachmentJson({
      ...REFERENCE_ATTACHMENT,
      workPackageId: 7614,
      legacySizeKey: true,
    });
    const { workPackage } = load({ descriptionHtml: '   ' });
    const data = toReceivedData(workPackage, keys, [attachmentSchema.parse(legacy)], settings);
    expect(data?.attachment?.fileSize).toBe(REFERENCE_ATTACHMENT.fileSize);
    expect(data).not.toHaveProperty('descriptionHtml');
  });

  it('falls back from one URL field to the other and gives nothing without any URL', () => {
    const onlySource = load({ cleanUrl: null, sourceUrl: 'https://b.example/story' });
    expect(toReceivedData(onlySource.workPackage, keys, [], settings)).toMatchObject({
      url: 'https://b.example/story',
      originalUrl: 'https://b.example/story',
      customFields: { cleanUrl: null },
    });
    const none = load({ cleanUrl: null, sourceUrl: 'not a url' });
    expect(toReceivedData(none.workPackage, keys, [], settings)).toBeUndefined();
  });

  it('keeps several topics and no attachment when there is no image', () => {
    const { workPackage } = load({
      topics: ['HIMSS: Digital Health', 'Symplur: Healthcare Providers'],
    });
    const pdf = attachmentSchema.parse(
      attachmentJson({
        id: 5,
        fileName: 'x.pdf',
        contentType: 'application/pdf',
        fileSize: 1,
        workPackageId: 7614,
      }),
    );
    const data = toReceivedData(workPackage, keys, [pdf], settings);
    expect(data?.topics).toEqual(['HIMSS: Digital Health', 'Symplur: Healthcare Providers']);
    expect(data).not.toHaveProperty('attachment');
  });

  it('reads the type id from _links.type.href, not from its title', () => {
    expect(workPackageTypeId(load().workPackage)).toBe(7);
    expect(
      workPackageTypeId(load({ type: { id: TASK_TYPE.id, name: 'Curated Content' } }).workPackage),
    ).toBe(1);
  });

  it('recognises unpublished statuses by id or by name', () => {
    const rejected = load({ status: STATUS.rejected }).workPackage;
    expect(unpublishedStatusOf(rejected, ['rejected'])).toBe('Rejected');
    expect(unpublishedStatusOf(rejected, [String(STATUS.rejected.id)])).toBe('Rejected');
    expect(unpublishedStatusOf(load().workPackage, ['Rejected', 'Closed', '12'])).toBeUndefined();
  });
});
