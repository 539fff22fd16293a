import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const K8S_DIR = __dirname;
export const OVERLAYS = ['dev', 'prod'] as const;
export type OverlayName = (typeof OVERLAYS)[number];

export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** What a test checks: the objects of one overlay as kustomize renders it, or the raw files. */
export interface Rendering {
  name: OverlayName | 'base files';
  rendered: boolean;
  manifests: Manifest[];
}

/** The binaries that can build a kustomization, in order of preference. */
const RENDERERS: ReadonlyArray<{ command: string; args: (dir: string) => string[] }> = [
  { command: 'kustomize', args: (dir) => ['build', dir] },
  { command: 'kubectl', args: (dir) => ['kustomize', dir] },
];

export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0].message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/**
 * Every overlay rendered by the first kustomize binary found on PATH. A render that fails throws
 * (a broken overlay must fail the test); with no binary at all, the base and component files are
 * read as they are, and the reason is printed. `environment` gives the PATH searched.
 */
export function renderOverlays(environment: NodeJS.ProcessEnv): Rendering[] {
  for (const renderer of RENDERERS) {
    const renderings = OVERLAYS.map((overlay) => render(renderer, overlay, environment));
    if (renderings.every((rendering) => rendering !== undefined)) return renderings;
  }
  console.warn(
    `Neither ${RENDERERS.map((renderer) => renderer.command).join(' nor ')} is on PATH: ` +
      'the overlays are not rendered; checking the base and component files as they are.',
  );
  return [{ name: 'base files', rendered: false, manifests: readKustomizationFiles() }];
}

/** The overlay as `renderer` builds it; undefined when the binary is not there. */
function render(
  renderer: (typeof RENDERERS)[number],
  overlay: OverlayName,
  environment: NodeJS.ProcessEnv,
): Rendering | undefined {
  const dir = join(K8S_DIR, 'overlays', overlay);
  const result = spawnSync(renderer.command, renderer.args(dir), {
    env: environment,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (result.error || result.status !== 0) {
    throw new Error(
      `${renderer.command} ${renderer.args(dir).join(' ')} failed: ${result.error?.message ?? result.stderr}`,
    );
  }
  return { name: overlay, rendered: true, manifests: parseManifests(result.stdout, overlay) };
}

/** The resources of base/ and of every component, unrendered (no namespace, tags or patches). */
export function readKustomizationFiles(): Manifest[] {
  const dirs = [
    join(K8S_DIR, 'base'),
    ...readdirSync(join(K8S_DIR, 'components')).map((name) => join(K8S_DIR, 'components', name)),
  ];
  return dirs.flatMap((dir) => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources?: string[];
    };
    return (kustomization.resources ?? []).flatMap((file) =>
      parseManifests(readFileSync(join(dir, file), 'utf8'), join(dir, file)),
    );
  });
}
