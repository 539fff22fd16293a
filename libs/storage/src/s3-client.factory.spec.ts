import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from './s3-client.factory';

class Captured extends Error {
  constructor(readonly headers: Record<string, string>) {
    super('request captured');
  }
}

/** The headers of a put as they would go on the wire: signed, never sent. */
async function signedPutHeaders(endpoint: string, body: Buffer): Promise<Record<string, string>> {
  const client = createS3Client({
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: 'key',
    S3_SECRET_ACCESS_KEY: 'secret',
  });
  client.middlewareStack.add(
    () => (args) => {
      throw new Captured((args.request as { headers: Record<string, string> }).headers);
    },
    { step: 'deserialize', name: 'capture', priority: 'low' },
  );
  const error = await client
    .send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body }))
    .catch((thrown: unknown) => thrown);
  if (!(error instanceof Captured)) throw error;
  return error.headers;
}

describe('createS3Client: which bodies are signed', () => {
  const body = Buffer.from('rendition bytes');

  it.each([
    'http://127.0.0.1:9000',
    'http://localhost:9000',
    'http://[::1]:9000',
    'https://s3.example.com',
  ])(
    'sends an unsigned payload with signed headers where the transport protects it (%s)',
    async (endpoint) => {
      const headers = await signedPutHeaders(endpoint, body);
      expect(headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 .*SignedHeaders=.*x-amz-content-sha256/,
      );
    },
  );

  it('signs the body over plain HTTP to another host', async () => {
    const headers = await signedPutHeaders('http://s3.internal.example:9000', body);
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
  });
});
