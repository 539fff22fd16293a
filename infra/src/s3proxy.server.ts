import fs from 'node:fs';
import path from 'node:path';
import { ensureCached } from './download-cache';
import { javaBinary } from './java-home';
import { fetchWithMaven } from './maven-fetch';
import { httpAnswers } from './probes';
import { spawnDetached } from './processes';
import type { LaunchContext, LaunchedServer, ServerDefinition } from './service';

export const S3PROXY_VERSIONS = ['2.9.0', '3.0.0'];
const JAR_NAME = 's3proxy.jar';

export const S3_CREDENTIALS = {
  accessKeyId: 'curation',
  secretAccessKey: 'curation-secret',
  region: 'us-east-1',
} as const;

async function s3ProxyJar(context: LaunchContext): Promise<string> {
  const { dir } = await ensureCached(
    context.cacheDir,
    S3PROXY_VERSIONS.map((version) => ({
      name: `s3proxy-${version}`,
      build: (stagingDir: string) =>
        fetchWithMaven(stagingDir, {
          artifacts: [
            {
              coordinates: `org.gaul:s3proxy:${version}:jar:jar-with-dependencies`,
              outputDirectory: '.',
              destFileName: JAR_NAME,
            },
          ],
        }),
    })),
    context.progress,
  );
  return path.join(dir, JAR_NAME);
}

function proxyProperties(port: number, dataDir: string): string {
  return `${[
    `s3proxy.endpoint=http://127.0.0.1:${port}`,
    's3proxy.authorization=aws-v2-or-v4',
    `s3proxy.identity=${S3_CREDENTIALS.accessKeyId}`,
    `s3proxy.credential=${S3_CREDENTIALS.secretAccessKey}`,
    'jclouds.provider=filesystem',
    `jclouds.filesystem.basedir=${dataDir}`,
  ].join('\n')}\n`;
}

/** Serial GC and C1 only, as for Kafka (README "Benchmarks"): half the CPU per item, ready sooner. */
const S3PROXY_JVM_FLAGS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

export const s3ProxyServer: ServerDefinition = {
  name: 's3',
  commandMarker: 's3proxy',
  portCount: 1,
  readyTimeoutMs: 60_000,

  async launch(context: LaunchContext): Promise<LaunchedServer> {
    const jar = await s3ProxyJar(context);
    const baseDir = path.join(context.infraDir, 's3proxy');
    const dataDir = path.join(baseDir, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const propertiesFile = path.join(baseDir, 's3proxy.conf');
    const [port] = context.ports;
    fs.writeFileSync(propertiesFile, proxyProperties(port, dataDir));
    const child = spawnDetached(
      javaBinary(),
      [...S3PROXY_JVM_FLAGS, '-jar', jar, '--properties', propertiesFile],
      {
        logFile: context.logFile,
      },
    );
    return { child, endpoint: `http://127.0.0.1:${port}` };
  },

  isReady: httpAnswers,
};
