import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface StoredObject {
  key: string;
  body: Buffer | string;
  contentType: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

export interface ObjectHead {
  contentType?: string;
  contentLength?: number;
  metadata: Record<string, string>;
}

export interface FetchedObject extends ObjectHead {
  body: Buffer;
}

const PARALLEL_DELETES = 8;

async function undefinedWhenMissing<T>(request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error as { name?: string }).name === 'NotFound'
  );
}

/** All object I/O of the pipeline; holds no domain logic. */
export class ObjectStorageRepository {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (!isMissing(error)) throw error;
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (creation) {
        // Another service or instance starting at the same moment created it first.
        if (!(creation instanceof BucketAlreadyOwnedByYou)) throw creation;
      }
    }
  }

  async put(object: StoredObject): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
        Metadata: object.metadata,
      }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.getObject(key))?.body;
  }

  /** The object's bytes with its content type and metadata, in one request. */
  async getObject(key: string): Promise<FetchedObject | undefined> {
    return undefinedWhenMissing(async () => {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return {
        body: Buffer.from(await response.Body!.transformToByteArray()),
        contentType: response.ContentType,
        contentLength: response.ContentLength,
        metadata: response.Metadata ?? {},
      };
    });
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    return undefinedWhenMissing(async () => {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return {
        contentType: response.ContentType,
        contentLength: response.ContentLength,
        metadata: response.Metadata ?? {},
      };
    });
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Every key under a prefix, page by page. */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /**
   * Deletes keys one request each, a few at a time: an item has a handful of objects, and
   * multi-object delete needs a checksum header that not every S3 implementation accepts.
   */
  async deleteMany(keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += PARALLEL_DELETES) {
      await Promise.all(keys.slice(start, start + PARALLEL_DELETES).map((key) => this.delete(key)));
    }
  }
}
