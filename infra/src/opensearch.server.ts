import fs from 'node:fs';
import path from 'node:path';
import { ensureCached } from './download-cache';
import { isRoot, opensearchDir } from './infra-paths';
import { javaHome } from './java-home';
import { fetchWithMaven } from './maven-fetch';
import { httpStatus } from './probes';
import { findOnPath, runCommand, spawnDetached } from './processes';
import type { LaunchContext, LaunchedServer, ServerDefinition } from './service';

/** Newest patch first; 2.19.4 is the one verified in INFRA.md. Versions above 2.19 need Java 21. */
export const OPENSEARCH_VERSIONS = ['2.19.6', '2.19.4'];
const SERVICE_USER = 'curation-opensearch';

interface OpensearchModule {
  folder: string;
  artifactId: string;
  classname: string;
}

/** The integ-test-zip ships only transport-netty4: the analyzers, mapper extras and _reindex come from these. */
const SINGLE_JAR_MODULES: OpensearchModule[] = [
  {
    folder: 'analysis-common',
    artifactId: 'analysis-common',
    classname: 'org.opensearch.analysis.common.CommonAnalysisPlugin',
  },
  {
    folder: 'mapper-extras',
    artifactId: 'mapper-extras-client',
    classname: 'org.opensearch.index.mapper.MapperExtrasPlugin',
  },
];
const REINDEX_MODULE: OpensearchModule = {
  folder: 'reindex',
  artifactId: 'reindex-client',
  classname: 'org.opensearch.index.reindex.ReindexPlugin',
};
/** Reindex dependencies already in the distribution's lib/: a second copy fails with "jar hell". */
const JARS_ALREADY_IN_LIB = ['reactor-core', 'reactive-streams', 'opensearch-common'];

function pluginDescriptor(module: OpensearchModule, version: string): string {
  return `${[
    `description=${module.folder} module, assembled from Maven Central by the curation-pipeline infra runner`,
    `version=${version}`,
    `name=${module.folder}`,
    `classname=${module.classname}`,
    'java.version=11',
    `opensearch.version=${version}`,
    'extended.plugins=',
    'has.native.controller=false',
  ].join('\n')}\n`;
}

async function unzip(zipFile: string, targetDir: string): Promise<void> {
  fs.mkdirSync(targetDir, { recursive: true });
  if (findOnPath('unzip')) {
    await runCommand('unzip', ['-q', zipFile, '-d', targetDir]);
    return;
  }
  await runCommand(path.join(javaHome(), 'bin', 'jar'), ['xf', zipFile], { cwd: targetDir });
}

/** `jar xf` drops the executable bits that unzip keeps. */
function makeScriptsExecutable(home: string): void {
  const binDir = path.join(home, 'bin');
  for (const file of fs.readdirSync(binDir)) fs.chmodSync(path.join(binDir, file), 0o755);
}

async function buildDistribution(stagingDir: string, version: string): Promise<void> {
  await fetchWithMaven(stagingDir, {
    artifacts: [
      {
        coordinates: `org.opensearch.distribution.integ-test-zip:opensearch:${version}:zip`,
        outputDirectory: 'downloads',
        destFileName: 'opensearch.zip',
      },
      ...SINGLE_JAR_MODULES.map((module) => ({
        coordinates: `org.opensearch.plugin:${module.artifactId}:${version}`,
        outputDirectory: `downloads/modules/${module.folder}`,
      })),
    ],
    withDependencies: {
      coordinates: [`org.opensearch.plugin:${REINDEX_MODULE.artifactId}:${version}`],
      outputDirectory: `downloads/modules/${REINDEX_MODULE.folder}`,
      excludeArtifactIds: JARS_ALREADY_IN_LIB,
    },
  });
  const downloads = path.join(stagingDir, 'downloads');
  const unpacked = path.join(downloads, 'unpacked');
  await unzip(path.join(downloads, 'opensearch.zip'), unpacked);
  const home = path.join(stagingDir, 'home');
  fs.renameSync(path.join(unpacked, `opensearch-${version}`), home);
  makeScriptsExecutable(home);
  for (const module of [...SINGLE_JAR_MODULES, REINDEX_MODULE]) {
    const moduleDir = path.join(home, 'modules', module.folder);
    fs.renameSync(path.join(downloads, 'modules', module.folder), moduleDir);
    fs.writeFileSync(
      path.join(moduleDir, 'plugin-descriptor.properties'),
      pluginDescriptor(module, version),
    );
  }
  fs.rmSync(downloads, { recursive: true, force: true });
}

async function cachedDistribution(
  context: LaunchContext,
): Promise<{ version: string; home: string }> {
  const { name, dir } = await ensureCached(
    context.cacheDir,
    OPENSEARCH_VERSIONS.map((version) => ({
      name: `opensearch-${version}`,
      build: (stagingDir: string) => buildDistribution(stagingDir, version),
    })),
    context.progress,
  );
  return { version: name.replace('opensearch-', ''), home: path.join(dir, 'home') };
}

/** The server writes into its config folder (keystore, our yml), so each state folder gets its own copy. */
async function installCopy(cachedHome: string, baseDir: string, version: string): Promise<string> {
  const home = path.join(baseDir, `opensearch-${version}`);
  if (fs.existsSync(home)) return home;
  const staging = `${home}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  await runCommand('cp', ['-a', cachedHome, staging]);
  fs.renameSync(staging, home);
  return home;
}

function opensearchYml(ports: number[], dataDir: string, logsDir: string): string {
  const [httpPort, transportPort] = ports;
  return `${[
    'cluster.name: curation-local',
    'node.name: curation-local-node',
    'discovery.type: single-node',
    'network.host: 127.0.0.1',
    `http.port: ${httpPort}`,
    `transport.port: ${transportPort}`,
    `path.data: ${dataDir}`,
    `path.logs: ${logsDir}`,
    'cluster.routing.allocation.disk.threshold_enabled: false',
  ].join('\n')}\n`;
}

async function ensureServiceUser(): Promise<void> {
  try {
    await runCommand('id', ['-u', SERVICE_USER]);
  } catch {
    await runCommand('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', SERVICE_USER]);
  }
}

/** OpenSearch refuses to run as root: as root, hand its folders to an unprivileged user and start it through runuser. */
async function commandLine(
  binary: string,
  pidFile: string,
  baseDir: string,
): Promise<{ command: string; args: string[] }> {
  const args = ['-p', pidFile];
  if (!isRoot()) return { command: binary, args };
  await ensureServiceUser();
  await runCommand('chown', ['-R', `${SERVICE_USER}:`, baseDir]);
  return { command: 'runuser', args: ['-u', SERVICE_USER, '--', binary, ...args] };
}

async function clusterIsYellow(endpoint: string): Promise<boolean> {
  try {
    return (
      (await httpStatus(`${endpoint}/_cluster/health?wait_for_status=yellow&timeout=2s`)) === 200
    );
  } catch {
    return false;
  }
}

/**
 * Appended after jvm.options, so they override its G1 choice. Serial GC and C1 only, as for
 * Kafka (README "Benchmarks"): about half the CPU per item and a third idle, ready in 16 s
 * instead of 24 s on 2 loaded cores, same items/s in the e2e benchmark.
 */
const OPENSEARCH_JVM_FLAGS = [
  '-Xms512m',
  '-Xmx512m',
  '-XX:-UseG1GC',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
];

export const opensearchServer: ServerDefinition = {
  name: 'opensearch',
  commandMarker: 'opensearch',
  portCount: 2,
  readyTimeoutMs: 180_000,

  async launch(context: LaunchContext): Promise<LaunchedServer> {
    const distribution = await cachedDistribution(context);
    const baseDir = opensearchDir(context.infraDir);
    const dataDir = path.join(baseDir, 'data');
    const logsDir = path.join(baseDir, 'logs');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.mkdirSync(logsDir, { recursive: true });
    const home = await installCopy(distribution.home, baseDir, distribution.version);
    fs.writeFileSync(
      path.join(home, 'config', 'opensearch.yml'),
      opensearchYml(context.ports, dataDir, logsDir),
    );
    const pidFile = path.join(baseDir, 'opensearch.pid');
    fs.rmSync(pidFile, { force: true });
    const { command, args } = await commandLine(
      path.join(home, 'bin', 'opensearch'),
      pidFile,
      baseDir,
    );
    const env = {
      ...process.env,
      OPENSEARCH_JAVA_HOME: javaHome(),
      OPENSEARCH_JAVA_OPTS: OPENSEARCH_JVM_FLAGS.join(' '),
    };
    const child = spawnDetached(command, args, { logFile: context.logFile, env, cwd: home });
    return { child, endpoint: `http://127.0.0.1:${context.ports[0]}`, pidFile };
  },

  isReady: clusterIsYellow,
};
