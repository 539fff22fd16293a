import { DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@curation/platform';
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectStorageRepository } from './object-storage.repository';
import { createS3Client, type S3Settings } from './s3-client.factory';

export const S3_CLIENT = Symbol('S3_CLIENT');

export interface StorageOptions extends S3Settings {
  S3_BUCKET: string;
}

/**
 * The service's one S3 client and its bucket: the bucket is created at start-up (before any
 * consumer starts) and reported in /health/ready as `s3`.
 */
@Global()
@Module({})
export class StorageModule implements OnModuleInit {
  constructor(@Inject(ObjectStorageRepository) private readonly storage: ObjectStorageRepository) {}

  static forRoot(options: StorageOptions): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        { provide: S3_CLIENT, useFactory: () => createS3Client(options) },
        {
          provide: ObjectStorageRepository,
          inject: [S3_CLIENT, ReadinessRegistry],
          useFactory: (client: S3Client, readiness: ReadinessRegistry) => {
            const storage = new ObjectStorageRepository(client, options.S3_BUCKET);
            readiness.register('s3', () => storage.ensureBucket());
            return storage;
          },
        },
      ],
      exports: [S3_CLIENT, ObjectStorageRepository],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.storage.ensureBucket();
  }
}
