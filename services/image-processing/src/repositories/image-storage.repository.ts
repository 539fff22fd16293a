import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { ObjectStorageRepository, createS3Client, type StoredObject } from '@curation/storage';
import type { ImageProcessingConfig } from '../config/image-processing.config';

/** Renditions and manifests on S3, through the shared ObjectStorageRepository. */
@Injectable()
export class ImageStorageRepository {
  private readonly objects: ObjectStorageRepository;

  constructor(@Inject(APP_CONFIG) config: ImageProcessingConfig) {
    this.objects = new ObjectStorageRepository(createS3Client(config), config.S3_BUCKET);
  }

  ensureBucket(): Promise<void> {
    return this.objects.ensureBucket();
  }

  put(object: StoredObject): Promise<void> {
    return this.objects.put(object);
  }

  async getText(key: string): Promise<string | undefined> {
    return (await this.objects.get(key))?.toString('utf8');
  }
}
