import { testEnvironment, uniqueName } from '@curation/testing';
import { ObjectStorageRepository } from './object-storage.repository';
import { createS3Client } from './s3-client.factory';

describe('ObjectStorageRepository against a real S3 server', () => {
  const environment = testEnvironment();
  const storage = new ObjectStorageRepository(
    createS3Client(environment),
    uniqueName('storage-test'),
  );

  beforeAll(() => storage.ensureBucket());

  it('puts, heads, gets and deletes an object byte for byte, metadata included', async () => {
    const body = Buffer.from(Array.from({ length: 70000 }, (_, index) => index % 251));
    await storage.put({
      key: 'a/b.bin',
      body,
      contentType: 'application/octet-stream',
      metadata: { revision: '7' },
    });

    expect(await storage.head('a/b.bin')).toEqual({
      contentType: 'application/octet-stream',
      contentLength: body.length,
      metadata: { revision: '7' },
    });
    expect((await storage.get('a/b.bin'))?.equals(body)).toBe(true);

    await storage.delete('a/b.bin');
    expect(await storage.get('a/b.bin')).toBeUndefined();
    expect(await storage.head('a/b.bin')).toBeUndefined();
  });

  it('creating an existing bucket again is harmless', async () => {
    await expect(storage.ensureBucket()).resolves.toBeUndefined();
  });
});

describe('ObjectStorageRepository bucket creation', () => {
  it('lets several services create the same new bucket at once', async () => {
    const bucket = uniqueName('bucket-race');
    const repositories = Array.from(
      { length: 4 },
      () => new ObjectStorageRepository(createS3Client(testEnvironment()), bucket),
    );
    await expect(
      Promise.all(repositories.map((each) => each.ensureBucket())),
    ).resolves.toHaveLength(4);
  });
});
