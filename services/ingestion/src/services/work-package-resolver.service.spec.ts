import { Topic, createEvent, itemIdForWorkPackage, type NewEvent } from '@curation/contracts';
import { PermanentEventError } from '@curation/kafka';
import {
  schemaPropertySchema,
  workPackageSchema,
  type OpenProjectWorkPackage,
  type WorkPackageFormSchema,
} from '@curation/openproject';
import {
  automock,
  newTestService,
  STATUS,
  TASK_TYPE,
  workPackageJson,
  type WorkPackageOptions,
  workPackageSchemaJson,
} from '@curation/testing';
import { loadConfig } from '@curation/config';
import { ingestionConfigSchema } from '../config/ingestion.config';
import type { ItemStateRepository, UpstreamVersion } from '../repositories/item-state.repository';
import type { OpenProjectRepository } from '../repositories/openproject.repository';
import type { WorkPackageItemRepository } from '../repositories/work-package-item.repository';
import { PublishRuleService } from './publish-rule.service';
import { WorkPackageResolverService } from './work-package-resolver.service';

const BASE_URL = 'https://openproject.example.org';

/** In-memory stand-ins behind the repositories' interfaces. */
class FakeState {
  readonly versions = new Map<string, UpstreamVersion>();
  readonly live = new Map<number, number>();
  async claim(itemId: string, version: UpstreamVersion) {
    const stored = this.versions.get(itemId);
    const newer =
      !stored ||
      version.lockVersion > stored.lockVersion ||
      (version.lockVersion === stored.lockVersion && version.updatedAtMs > stored.updatedAtMs);
    return newer
      ? { kind: 'claimed' as const, token: 't' }
      : { kind: 'stale' as const, published: stored };
  }
  async commit(
    itemId: string,
    id: number,
    version: UpstreamVersion,
    _token: string,
    state: string,
  ) {
    this.versions.set(itemId, version);
    if (state === 'live') this.live.set(id, version.lockVersion);
    else this.live.delete(id);
  }
  async release() {}
  async isLive(id: number) {
    return this.live.has(id);
  }
  async publishedVersion(itemId: string) {
    return this.versions.get(itemId);
  }
}

class FakeItems {
  readonly digests = new Map<string, string>();
  async remember(itemId: string, _workPackageId: number, digest?: string) {
    if (digest === undefined) this.digests.delete(itemId);
    else this.digests.set(itemId, digest);
  }
  async digestOf(itemId: string) {
    return this.digests.get(itemId);
  }
}

function formSchema(overrides: Record<string, unknown> = {}): WorkPackageFormSchema {
  const json = { ...workPackageSchemaJson(), ...overrides };
  return {
    href: '/api/v3/work_packages/schemas/3-7',
    customFields: new Map(
      Object.entries(json)
        .filter(([key]) => /^customField\d+$/.test(key))
        .map(([key, value]) => [key, schemaPropertySchema.parse(value)] as const),
    ),
  };
}

function setup(environment: Record<string, string> = {}) {
  const workPackages = new Map<number, OpenProjectWorkPackage>();
  let schema = formSchema();
  const openProject = automock<OpenProjectRepository>('openProject', {
    baseUrl: BASE_URL,
    getWorkPackage: async (id: number) => workPackages.get(id),
    getSchema: async () => schema,
    getAttachments: async (workPackage: OpenProjectWorkPackage) =>
      workPackage._embedded?.attachments?._embedded.elements ?? [],
    listStatuses: async () => {
      statusLookups++;
      return Object.values(STATUS).map((status) => ({ _type: 'Status' as const, ...status }));
    },
  });
  let statusLookups = 0;
  const published: Array<{ topic: string; event: NewEvent<Topic> }> = [];
  const state = new FakeState();
  const config = loadConfig(ingestionConfigSchema, {
    KAFKA_BROKERS: '127.0.0.1:9092',
    REDIS_URL: 'redis://127.0.0.1:6379',
    OPENPROJECT_URL: BASE_URL,
    OPENPROJECT_API_KEY: 'key',
    OPENPROJECT_TYPE_ID: '7',
    DEVELOPMENT_MODE: 'true',
    ...environment,
  });
  const {
    sut: resolver,
    mocks: [, , , , publisher],
  } = newTestService(WorkPackageResolverService, {
    0: openProject,
    1: automock<ItemStateRepository>('state', state),
    2: automock<WorkPackageItemRepository>('items', new FakeItems()),
    3: new PublishRuleService(openProject, config),
    5: config,
  });
  publisher.publish.mockImplementation(async (topic, event) => {
    published.push({ topic, event });
    return createEvent(topic, event);
  });
  const put = (options: WorkPackageOptions & { id: number }) =>
    workPackages.set(options.id, workPackageSchema.parse(workPackageJson(options)));
  return {
    resolver,
    state,
    published,
    workPackages,
    put,
    setSchema: (next: WorkPackageFormSchema) => (schema = next),
    statusLookups: () => statusLookups,
  };
}

const itemId = (id: number) => itemIdForWorkPackage(BASE_URL, id);

describe('WorkPackageResolverService', () => {
  it('publishes received once per version and again for a newer one', async () => {
    const { resolver, put, published } = setup();
    put({ id: 1 });
    expect(await resolver.resolve(1, 'webhook')).toBe('received');
    expect(await resolver.resolve(1, 'webhook')).toBe('duplicate');
    put({ id: 1, lockVersion: 10, subject: 'A new title' });
    expect(await resolver.resolve(1, 'sweep')).toBe('received');
    expect(published.map(({ event }) => event.revision)).toEqual([9, 10]);
  });

  it('runs nothing for a newer lockVersion that changed none of the published fields (the pipeline’s own comment)', async () => {
    const { resolver, put, published } = setup();
    put({ id: 11 });
    expect(await resolver.resolve(11, 'webhook')).toBe('received');
    put({ id: 11, lockVersion: 10, status: STATUS.closed });
    expect(await resolver.resolve(11, 'webhook')).toBe('removed');
    put({ id: 11, lockVersion: 11, status: STATUS.closed, type: TASK_TYPE });
    expect(await resolver.resolve(11, 'webhook')).toBe('ignored-type');
    put({ id: 11, lockVersion: 11 });
    expect(await resolver.resolve(11, 'webhook')).toBe('received');
    put({ id: 11, lockVersion: 12 });
    expect(await resolver.resolve(11, 'webhook')).toBe('unchanged');
    expect(await resolver.resolve(11, 'webhook')).toBe('duplicate');
    put({ id: 11, lockVersion: 13, descriptionHtml: '<p>Edited</p>' });
    expect(await resolver.resolve(11, 'webhook')).toBe('received');
    expect(published.map(({ event }) => [event.revision, event.data])).toEqual([
      [9, expect.objectContaining({ url: expect.any(String) })],
      [10, { reason: 'unpublished-status', detail: 'Closed' }],
      [11, expect.objectContaining({ url: expect.any(String) })],
      [13, expect.objectContaining({ descriptionHtml: '<p>Edited</p>' })],
    ]);
  });

  it('with OPENPROJECT_PUBLISH_STATUSES publishes only those statuses, names resolved once through the API', async () => {
    const { resolver, put, published, statusLookups } = setup({
      OPENPROJECT_PUBLISH_STATUSES: 'approved,7',
    });
    put({ id: 12 });
    expect(await resolver.resolve(12, 'sweep')).toBe('ignored-unpublished');
    expect(await resolver.resolve(12, 'webhook')).toBe('ignored-unpublished');
    put({ id: 12, lockVersion: 10, status: STATUS.approved });
    expect(await resolver.resolve(12, 'webhook')).toBe('received');
    put({ id: 13, status: STATUS.inProgress });
    expect(await resolver.resolve(13, 'webhook')).toBe('received');
    put({ id: 12, lockVersion: 11, status: STATUS.new });
    expect(await resolver.resolve(12, 'webhook')).toBe('removed');
    expect(published.map(({ topic, event }) => [event.itemId, topic])).toEqual([
      [itemId(12), Topic.ItemReceived],
      [itemId(13), Topic.ItemReceived],
      [itemId(12), Topic.ItemRemoved],
    ]);
    expect(published.at(-1)?.event.data).toEqual({ reason: 'unpublished-status', detail: 'New' });
    expect(statusLookups()).toBe(1);
  });

  it('ignores another type unless the item was published, which makes it a type change', async () => {
    const { resolver, put, published } = setup();
    put({ id: 2, type: TASK_TYPE });
    expect(await resolver.resolve(2, 'webhook')).toBe('ignored-type');
    put({ id: 3 });
    await resolver.resolve(3, 'webhook');
    put({ id: 3, lockVersion: 10, type: TASK_TYPE });
    expect(await resolver.resolve(3, 'webhook')).toBe('removed');
    expect(published.at(-1)).toMatchObject({
      topic: Topic.ItemRemoved,
      event: { itemId: itemId(3), revision: 10, data: { reason: 'type-changed', detail: 'Task' } },
    });
  });

  it('removes a published work package that vanished, above its last revision', async () => {
    const { resolver, put, workPackages, published } = setup();
    expect(await resolver.resolve(4, 'sweep')).toBe('not-found');
    put({ id: 4 });
    await resolver.resolve(4, 'webhook');
    workPackages.delete(4);
    expect(await resolver.resolve(4, 'sweep')).toBe('removed');
    expect(published.at(-1)?.event).toMatchObject({
      revision: 10,
      data: { reason: 'deleted-upstream' },
    });
    expect(await resolver.resolve(4, 'sweep')).toBe('not-found');
  });

  it('removes unpublished or URL-less work packages; a sweep skips ones never published', async () => {
    const { resolver, put, published } = setup();
    put({ id: 5, status: STATUS.closed });
    expect(await resolver.resolve(5, 'sweep')).toBe('ignored-unpublished');
    expect(await resolver.resolve(5, 'webhook')).toBe('ignored-unpublished');
    put({ id: 5, lockVersion: 10 });
    expect(await resolver.resolve(5, 'webhook')).toBe('received');
    put({ id: 5, lockVersion: 11, status: STATUS.closed });
    expect(await resolver.resolve(5, 'webhook')).toBe('removed');
    put({ id: 5, lockVersion: 12, status: STATUS.rejected });
    expect(await resolver.resolve(5, 'webhook')).toBe('ignored-unpublished');
    put({ id: 6, cleanUrl: null, sourceUrl: '' });
    expect(await resolver.resolve(6, 'webhook')).toBe('removed');
    expect(published.slice(1).map(({ event }) => event.data)).toEqual([
      { reason: 'unpublished-status', detail: 'Closed' },
      { reason: 'missing-url', detail: 'neither cleanUrl nor sourceUrl is an http(s) URL' },
    ]);
  });

  it('dead-letters a webhook whose schema lacks a mapped field, and skips other instances’ events', async () => {
    const { resolver, put, setSchema } = setup();
    put({ id: 7 });
    setSchema(formSchema({ customField12: { type: 'String', name: 'somethingElse' } }));
    const event = (baseUrl: string) =>
      createEvent(Topic.OpenProjectWebhook, {
        itemId: itemId(7),
        revision: 9,
        data: {
          action: 'work_package:updated',
          workPackageId: 7,
          openProjectBaseUrl: baseUrl,
          receivedAt: new Date().toISOString(),
          bodyBytes: 2,
        },
      });
    await expect(resolver.handleWebhookEvent(event(BASE_URL))).rejects.toThrow(PermanentEventError);
    await expect(resolver.handleWebhookEvent(event('https://other.example.org'))).resolves.toBe(
      'foreign',
    );
  });
});
