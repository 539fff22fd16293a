import net from 'node:net';

/** Ports other servers on a developer machine usually hold (the machine's own Redis, Kafka, OpenSearch...). */
const STANDARD_PORTS = new Set([
  80, 443, 2181, 3000, 5432, 6379, 8080, 9000, 9001, 9092, 9093, 9200, 9300, 9600, 27017,
]);

/** All ports are held open together until the last is chosen, so one call never returns a port twice. */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const server = await listenOnAnyPort();
      servers.push(server);
      const { port } = server.address() as net.AddressInfo;
      if (!STANDARD_PORTS.has(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
