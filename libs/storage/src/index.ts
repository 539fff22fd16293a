export * from './object-storage.repository';
export * from './s3-client.factory';
export * from './item-object-keys';
export * from './storage.module';
