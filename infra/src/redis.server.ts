import fs from 'node:fs';
import path from 'node:path';
import { isRoot } from './infra-paths';
import { redisAnswersPing } from './probes';
import { findOnPath, runCommand, spawnDetached } from './processes';
import type { LaunchContext, LaunchedServer, ServerDefinition } from './service';

async function redisServerBinary(progress: (message: string) => void): Promise<string> {
  const existing = findOnPath('redis-server');
  if (existing) return existing;
  if (!isRoot())
    throw new Error('redis-server is not installed: run `sudo apt-get install -y redis-server`');
  progress('installing redis-server with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => runCommand('apt-get', ['install', '-y', 'redis-server'], { env });
  try {
    await install();
  } catch {
    await runCommand('apt-get', ['update'], { env });
    await install();
  }
  const installed = findOnPath('redis-server');
  if (!installed) throw new Error('redis-server still missing after apt-get install');
  return installed;
}

export const redisServer: ServerDefinition = {
  name: 'redis',
  commandMarker: 'redis-server',
  portCount: 1,
  readyTimeoutMs: 20_000,

  async launch(context: LaunchContext): Promise<LaunchedServer> {
    const binary = await redisServerBinary(context.progress);
    const dataDir = path.join(context.infraDir, 'redis', 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const [port] = context.ports;
    const options: Record<string, string> = {
      port: String(port),
      bind: '127.0.0.1',
      dir: dataDir,
      appendonly: 'yes',
      appendfsync: 'everysec',
      'maxmemory-policy': 'noeviction',
      save: '',
      daemonize: 'no',
    };
    const args = Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]);
    const child = spawnDetached(binary, args, { logFile: context.logFile });
    return { child, endpoint: `redis://127.0.0.1:${port}` };
  },

  isReady: redisAnswersPing,
};
