import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { endpointsToEnv, readEndpoints, startInfra, stopInfra } from '../infra/src/infra-runner';

/**
 * `npm run bench [-- name ...]`: each benchmark runs in its own process and prints its figures
 * with the ratio to the baseline it measures in the same run. Without names: every benchmark
 * but the long end-to-end one (`npm run bench -- e2e`).
 */
const BENCHMARKS: Record<string, { file: string; needsInfra: boolean }> = {
  extraction: { file: 'extraction.bench.ts', needsInfra: false },
  image: { file: 'image.bench.ts', needsInfra: true },
  indexing: { file: 'indexing.bench.ts', needsInfra: true },
  e2e: { file: 'e2e.bench.ts', needsInfra: true },
  encoders: { file: 'encoders.bench.ts', needsInfra: false },
};
const DEFAULT_SET = ['extraction', 'image', 'indexing', 'encoders'];

async function main(): Promise<number> {
  // Names first, then options for the benchmarks (`e2e --items 60`): an option's value is no name.
  const firstOption = process.argv.slice(2).findIndex((arg) => arg.startsWith('-'));
  const requested =
    firstOption < 0 ? process.argv.slice(2) : process.argv.slice(2, 2 + firstOption);
  const passThrough = firstOption < 0 ? [] : process.argv.slice(2 + firstOption);
  const names = requested.length > 0 ? requested : DEFAULT_SET;
  const unknown = names.filter((name) => !BENCHMARKS[name]);
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; one of: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    return 2;
  }
  let environment: Record<string, string | undefined> = { MALLOC_ARENA_MAX: '2', ...process.env };
  let startedInfra = false;
  if (names.some((name) => BENCHMARKS[name].needsInfra) && !process.env.KAFKA_BROKERS) {
    startedInfra = readEndpoints() === undefined;
    environment = {
      ...process.env,
      ...endpointsToEnv(await startInfra({ onProgress: (line) => console.log(line) })),
    };
  }
  let failures = 0;
  try {
    for (const name of names) {
      console.log(`\n=== benchmark: ${name} ===`);
      const run = spawnSync(
        process.execPath,
        [
          join(__dirname, '..', 'node_modules', '.bin', 'tsx'),
          join(__dirname, BENCHMARKS[name].file),
          ...passThrough,
        ],
        {
          stdio: 'inherit',
          env: environment,
        },
      );
      if (run.status !== 0) failures++;
    }
  } finally {
    if (startedInfra) await stopInfra();
  }
  return failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
