import { Inject, Injectable } from '@nestjs/common';
import { ObjectStorageRepository, type StoredObject } from '@curation/storage';

/** Renditions and manifests on S3, through the shared ObjectStorageRepository. */
@Injectable()
export class ImageStorageRepository {
  // Explicit token: tsx/esbuild (the benchmark) emit no decorator metadata for Nest to read.
  constructor(@Inject(ObjectStorageRepository) private readonly objects: ObjectStorageRepository) {}

  put(object: StoredObject): Promise<void> {
    return this.objects.put(object);
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.objects.get(key);
  }

  async getText(key: string): Promise<string | undefined> {
    return (await this.objects.get(key))?.toString('utf8');
  }
}
