import { createHash } from 'node:crypto';
import type { Rendition } from '@curation/contracts';
import { imageManifestKey, renditionKey } from '@curation/storage';
import { manifestSchema, type Manifest } from './image-manifest';
import type { ImageStorageRepository } from './repositories/image-storage.repository';
import type { EncodedRendition } from './repositories/media.repository';

const CONTENT_TYPES = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' } as const;

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Deterministic keys; a rerun writes identical bytes over them. */
export function putRenditions(
  storage: ImageStorageRepository,
  itemId: string,
  encoded: EncodedRendition[],
  sourceSha256: string,
  cacheControl: string,
): Promise<Rendition[]> {
  return Promise.all(
    encoded.map(async ({ spec, width, height, data }) => {
      const rendition: Rendition = {
        name: spec.name,
        key: renditionKey(itemId, spec.name, spec.format),
        format: spec.format,
        contentType: CONTENT_TYPES[spec.format],
        width,
        height,
        bytes: data.length,
        sha256: sha256(data),
      };
      await storage.put({
        key: rendition.key,
        body: data,
        contentType: rendition.contentType,
        cacheControl,
        metadata: { sha256: rendition.sha256, 'source-sha256': sourceSha256 },
      });
      return rendition;
    }),
  );
}

export async function readManifest(
  storage: ImageStorageRepository,
  itemId: string,
): Promise<Manifest | undefined> {
  const text = await storage.getText(imageManifestKey(itemId));
  if (text === undefined) return undefined;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // An unreadable manifest only costs a fresh render.
    return undefined;
  }
}

export function writeManifest(
  storage: ImageStorageRepository,
  itemId: string,
  manifest: Manifest,
): Promise<void> {
  return storage.put({
    key: imageManifestKey(itemId),
    body: JSON.stringify(manifest),
    contentType: 'application/json',
    cacheControl: 'no-store',
  });
}

/** The stored bytes of a rendition, when they are still the ones with this sha256. */
export async function getRendition(
  storage: ImageStorageRepository,
  rendition: Rendition,
): Promise<Buffer | undefined> {
  const bytes = await storage.get(rendition.key);
  return bytes && sha256(bytes) === rendition.sha256 ? bytes : undefined;
}
