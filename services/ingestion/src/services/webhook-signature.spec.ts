import { createHmac } from 'node:crypto';
import { isValidWebhookSignature, webhookSignature } from './webhook-signature';

const secret = 'webhook-secret';
const body = Buffer.from('{"action":"work_package:updated","work_package":{"id":7614}}');
const hex = createHmac('sha1', secret).update(body).digest('hex');

describe('OpenProject webhook signature', () => {
  it('accepts sha1=<HMAC-SHA1 of the raw body>, in either hex case', () => {
    expect(isValidWebhookSignature(body, `sha1=${hex}`, secret)).toBe(true);
    expect(isValidWebhookSignature(body, `sha1=${hex.toUpperCase()}`, secret)).toBe(true);
    expect(webhookSignature(body, secret)).toBe(`sha1=${hex}`);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another secret', webhookSignature(body, 'other-secret')],
    ['another algorithm prefix', `sha256=${hex}`],
    ['a truncated digest', `sha1=${hex.slice(0, 38)}`],
    ['non-hex characters', `sha1=${'z'.repeat(40)}`],
  ])('rejects %s', (_label, header) => {
    expect(isValidWebhookSignature(body, header, secret)).toBe(false);
  });

  it('rejects a body that changed after signing, even by re-serialisation', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(isValidWebhookSignature(reserialised, `sha1=${hex}`, secret)).toBe(false);
  });
});
