import http from 'node:http';
import net from 'node:net';

const PROBE_TIMEOUT_MS = 3_000;

export function splitHostPort(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  return { host: url.hostname, port: Number(url.port) };
}

/** Sends one request and collects the answer until `isComplete` says it is whole. */
function exchange(
  endpoint: string,
  request: Buffer,
  isComplete: (answer: Buffer) => boolean,
): Promise<Buffer> {
  const { host, port } = splitHostPort(endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let answer = Buffer.alloc(0);
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(new Error('timed out')));
    socket.once('error', finish);
    socket.once('close', () => finish(new Error('connection closed')));
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (isComplete(answer)) finish();
    });
    socket.write(request);
  });
}

async function answersCorrectly(probe: () => Promise<boolean>): Promise<boolean> {
  try {
    return await probe();
  } catch {
    return false;
  }
}

export function redisAnswersPing(endpoint: string): Promise<boolean> {
  return answersCorrectly(async () => {
    const answer = await exchange(endpoint, Buffer.from('PING\r\n'), (data) =>
      data.includes('\r\n'),
    );
    return answer.toString('latin1').startsWith('+PONG');
  });
}

const METADATA_API_KEY = 3;
const METADATA_VERSION = 4;
const PROBE_CORRELATION_ID = 7;

/**
 * A Metadata v4 request (the oldest version Kafka 4 still serves) for no topics: the broker
 * lists itself only once it has registered with the controller, which an open port doesn't prove.
 */
function metadataRequest(): Buffer {
  const clientId = Buffer.from('curation-infra-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let offset = body.writeInt16BE(METADATA_API_KEY, 0);
  offset = body.writeInt16BE(METADATA_VERSION, offset);
  offset = body.writeInt32BE(PROBE_CORRELATION_ID, offset);
  offset = body.writeInt16BE(clientId.length, offset);
  offset += clientId.copy(body, offset);
  offset = body.writeInt32BE(0, offset);
  body.writeInt8(0, offset);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

export function kafkaBrokerRegistered(endpoint: string): Promise<boolean> {
  return answersCorrectly(async () => {
    const answer = await exchange(
      endpoint,
      metadataRequest(),
      (data) => data.length >= 4 && data.length >= 4 + data.readInt32BE(0),
    );
    const correlationId = answer.readInt32BE(4);
    const brokerCount = answer.readInt32BE(12);
    return correlationId === PROBE_CORRELATION_ID && brokerCount > 0;
  });
}

export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', reject);
  });
}

export function httpAnswers(url: string): Promise<boolean> {
  return answersCorrectly(async () => (await httpStatus(url)) > 0);
}
