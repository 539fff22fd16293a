import { loadConfig } from '@curation/config';
import type { ItemImagedData } from '@curation/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fixturePath, referenceItem } from '@curation/testing';
import { PublishedDocumentService } from '../services/published-document.service';
import {
  chooseContentType,
  DEFAULT_CONTENT_TYPE,
  readContentTypesFile,
  resolveContentTypes,
  type ContentTypeCatalog,
} from './content-types.config';
import { searchIndexingConfigSchema } from './search-indexing.config';

const RESEARCH_FILE = fixturePath('content-types/research.content-types.yaml');

const ENVIRONMENT = {
  KAFKA_BROKERS: 'localhost:9092',
  OPENSEARCH_URL: 'http://localhost:9200',
  S3_ENDPOINT: 'http://localhost:9000',
  S3_ACCESS_KEY_ID: 'test',
  S3_SECRET_ACCESS_KEY: 'test-secret',
};

const directory = mkdtempSync(join(tmpdir(), 'content-types-'));
let written = 0;
function fileWith(text: string, extension = 'yaml'): string {
  const path = join(directory, `file-${++written}.${extension}`);
  writeFileSync(path, text);
  return path;
}

function frontMatterOf(markdown: string): Record<string, unknown> {
  return parse(markdown.slice(4, markdown.indexOf('\n---\n', 4))) as Record<string, unknown>;
}

function asSubmission(data: ItemImagedData): ItemImagedData {
  return { ...data, source: 'submission', workPackage: undefined };
}

describe('choosing a content type', () => {
  const catalog: ContentTypeCatalog = {
    defaultType: 'news',
    types: {},
    rules: [
      { topic: 'Research: Genomics', itemSource: 'submission', type: 'genomics-submissions' },
      { topicPrefix: 'Research', type: 'research' },
      { topic: 'HIMSS: Policy', type: 'policy' },
    ],
  };
  const choose = (topics: string[], source: 'openproject' | 'submission' = 'openproject') =>
    chooseContentType(catalog, { source, topics });

  it('takes the first rule whose topic or prefix matches one of the topics', () => {
    expect(choose(['HIMSS: Digital Health', 'Research: Trials'])).toBe('research');
    expect(choose(['HIMSS: Policy'])).toBe('policy');
    expect(choose(['HIMSS: Policy', 'Research: Trials'])).toBe('research');
  });

  it('matches an exact topic exactly, not as a prefix or in another case', () => {
    expect(choose(['HIMSS: Policy and more'])).toBe('news');
    expect(choose(['himss: policy'])).toBe('news');
  });

  it('applies a rule limited to one source only to items from that source', () => {
    expect(choose(['Research: Genomics'], 'submission')).toBe('genomics-submissions');
    expect(choose(['Research: Genomics'], 'openproject')).toBe('research');
  });

  it('falls back to the default type when nothing matches, or the item has no topics', () => {
    expect(choose(['Symplur: Healthcare Providers'])).toBe('news');
    expect(choose([])).toBe('news');
  });

  it('without rules, keeps choosing by the OpenProject work-package type', () => {
    const catalog = resolveContentTypes({});
    expect(
      chooseContentType(catalog, {
        source: 'openproject',
        topics: ['Research: Trials'],
        workPackageTypeName: 'Curated Content',
      }),
    ).toBe(DEFAULT_CONTENT_TYPE);
  });
});

describe('the content-types file', () => {
  it('reads the Research fixture: its own constants, the News ones for what it does not set', () => {
    const catalog = resolveContentTypes({}, readContentTypesFile(RESEARCH_FILE));
    expect(catalog.defaultType).toBe(DEFAULT_CONTENT_TYPE);
    expect(catalog.types.research).toMatchObject({
      category: 'Research',
      basePath: '/research/',
      mastHead: 'RESEARCH',
      archetype: 'research',
      homeLabel: 'Home',
      layOut: 'single',
    });
    expect(catalog.types[DEFAULT_CONTENT_TYPE]).toMatchObject({
      category: 'News',
      mastHead: 'NEWS',
    });
  });

  it('reads JSON too', () => {
    const path = fileWith(
      JSON.stringify({
        default: 'briefs',
        types: { briefs: { category: 'Briefs', basePath: '/briefs/' } },
      }),
      'json',
    );
    expect(resolveContentTypes({}, readContentTypesFile(path)).defaultType).toBe('briefs');
  });

  it('applies SEARCH_CONTENT_TYPE_OVERRIDES over the file', () => {
    const catalog = resolveContentTypes(
      { research: { mastHead: 'STUDIES' } },
      readContentTypesFile(RESEARCH_FILE),
    );
    expect(catalog.types.research).toMatchObject({ mastHead: 'STUDIES', basePath: '/research/' });
  });

  it.each([
    [
      'a rule naming an unknown type',
      'rules:\n  - topicPrefix: X\n    type: nowhere\n',
      /rules\.0\.type: unknown content type nowhere/,
    ],
    [
      'a new type without its section',
      'types:\n  research:\n    mastHead: R\n',
      /types\.research\.category: required/,
    ],
    [
      'a rule with both topic and prefix',
      'types:\n  r:\n    category: R\n    basePath: /r/\nrules:\n  - topic: A\n    topicPrefix: B\n    type: r\n',
      /exactly one of topic or topicPrefix/,
    ],
    [
      'a rule with neither',
      'rules:\n  - type: curated-content\n',
      /exactly one of topic or topicPrefix/,
    ],
    ['an unknown field', 'types:\n  curated-content:\n    masthead: X\n', /masthead/],
    [
      'a bad base path',
      'types:\n  curated-content:\n    basePath: news\n',
      /basePath: a path such as \/news\//,
    ],
    ['an unknown default', 'default: nowhere\n', /default: unknown content type nowhere/],
    [
      'a key in capitals',
      'types:\n  Research:\n    category: R\n    basePath: /r/\n',
      /types\.Research: Invalid key/,
    ],
    ['broken YAML', 'types: [unclosed\n', /file-\d+\.yaml: /],
  ])('refuses %s, naming the file and the field', (_name, text, message) => {
    const path = fileWith(text);
    expect(() => readContentTypesFile(path)).toThrow(message);
    expect(() => readContentTypesFile(path)).toThrow(path);
  });

  it('stops the service at start-up naming CONTENT_TYPES_FILE when the file is missing or wrong', () => {
    const environment = ENVIRONMENT;
    expect(() =>
      loadConfig(searchIndexingConfigSchema, {
        ...environment,
        CONTENT_TYPES_FILE: join(directory, 'missing.yaml'),
      }),
    ).toThrow(/CONTENT_TYPES_FILE: .*missing\.yaml/);
    expect(() =>
      loadConfig(searchIndexingConfigSchema, {
        ...environment,
        CONTENT_TYPES_FILE: fileWith('default: nowhere\n'),
      }),
    ).toThrow(/CONTENT_TYPES_FILE: .*unknown content type nowhere/);
  });

  it('is optional: unset, the built-in News type is the only one', () => {
    const config = loadConfig(searchIndexingConfigSchema, ENVIRONMENT);
    expect(config.CONTENT_TYPES_FILE).toBeUndefined();
    const catalog = resolveContentTypes(config.SEARCH_CONTENT_TYPE_OVERRIDES);
    expect(Object.keys(catalog.types)).toEqual([DEFAULT_CONTENT_TYPE]);
  });

  it('refuses an override for a type that does not exist', () => {
    expect(() => resolveContentTypes({ nowhere: { mastHead: 'X' } })).toThrow(
      /SEARCH_CONTENT_TYPE_OVERRIDES: unknown content type nowhere/,
    );
  });
});

describe('the published document of each content type', () => {
  const documents = new PublishedDocumentService(
    resolveContentTypes({}, readContentTypesFile(RESEARCH_FILE)),
  );
  const publish = (change: (data: ItemImagedData) => ItemImagedData) => {
    const item = referenceItem();
    const published = documents.build({ ...item, data: change(item.data) });
    return { search: published.search, frontMatter: frontMatterOf(documents.markdown(published)) };
  };
  const withTopics = (topics: string[]) => (data: ItemImagedData) => ({ ...data, topics });

  it('puts a Research item under the Research constants', () => {
    const { search, frontMatter } = publish(withTopics(['Research: Clinical Trials']));
    expect(search.contentType).toBe('research');
    expect(frontMatter).toMatchObject({
      identifier: 'Research',
      searchCategory: 'Research',
      tags: ['Research'],
      basePath: '/research/',
      mastHead: 'RESEARCH',
      archetype: 'research',
      contentCategories: 'netspective-medigy-research-curated-content',
      aliases: '/research/nhsx-sets-out-digital-guidance-for-nhs-trusts',
      breadcrumbs: ['Home', 'Research', 'NHSX sets out digital guidance for NHS trusts'],
      breadcrumbLinks: ['/', '/research/', ''],
      source: 'open-project-curations',
      openProjectWorkPackageType: 'Curated Content',
    });
  });

  it('keeps an item of other topics under News', () => {
    const { search, frontMatter } = publish(withTopics(['HIMSS: Digital Health']));
    expect(search.contentType).toBe(DEFAULT_CONTENT_TYPE);
    expect(frontMatter).toMatchObject({ identifier: 'News', basePath: '/news/', mastHead: 'NEWS' });
  });

  it('stamps a submission with its own source and no OpenProject type (null in the YAML)', () => {
    const news = publish(asSubmission);
    expect(news.frontMatter).toMatchObject({
      source: 'submission',
      openProjectWorkPackageType: null,
      id: null,
    });
    const research = publish((data) => asSubmission(withTopics(['Research: Genomics'])(data)));
    expect(research.frontMatter).toMatchObject({
      source: 'research-submission',
      openProjectWorkPackageType: null,
      identifier: 'Research',
    });
  });
});
