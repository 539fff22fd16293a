import { join } from 'node:path';

const FIXTURES_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** The absolute path of a file under `test/fixtures/`, e.g. `content-types/research.content-types.yaml`. */
export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

export * from '../../../test/fixtures/hostile/hostile-markdown.fixture';
export * from '../../../test/fixtures/openproject/kafka-event-collector';
export * from '../../../test/fixtures/openproject/stand-in-openproject';
export * from '../../../test/fixtures/openproject/work-package-7614.fixture';
export * from '../../../test/fixtures/reference/reference-item.fixture';
