import fs from 'node:fs';
import path from 'node:path';
import { ensureCached } from './download-cache';
import { javaBinary } from './java-home';
import { fetchWithMaven } from './maven-fetch';
import { kafkaBrokerRegistered } from './probes';
import { runCommand, spawnDetached } from './processes';
import type { LaunchContext, LaunchedServer, ServerDefinition } from './service';

export const KAFKA_VERSION = '4.4.0';
/** The log4j2 version Kafka 4.4.0 depends on: its slf4j binding is not among Kafka's own dependencies. */
const LOG4J_VERSION = '2.25.5';

/**
 * For a small machine, measured with `npm run bench -- e2e` (README "Benchmarks"): the serial
 * collector (no concurrent GC threads; the heap is small) and the C1 compiler only (C2 kept
 * recompiling for minutes and was a fifth of the broker's CPU under load): about half the CPU
 * per item and idle, ready sooner, same items/s. Started with plain `java`, so no G1 defaults
 * from kafka-run-class.sh to override.
 */
const KAFKA_JVM_FLAGS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

async function kafkaLibDir(context: LaunchContext): Promise<string> {
  const { dir } = await ensureCached(
    context.cacheDir,
    [
      {
        name: `kafka-${KAFKA_VERSION}-log4j-${LOG4J_VERSION}`,
        build: (stagingDir) =>
          fetchWithMaven(stagingDir, {
            withDependencies: {
              coordinates: [
                `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
                `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J_VERSION}`,
              ],
              outputDirectory: 'lib',
            },
          }),
      },
    ],
    context.progress,
  );
  return path.join(dir, 'lib');
}

function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
  ].join('\n')}\n`;
}

const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
`;

function writeConfig(
  configDir: string,
  dataDir: string,
  ports: number[],
): { properties: string; log4j: string } {
  const [brokerPort, controllerPort] = ports;
  const properties = path.join(configDir, 'server.properties');
  const log4j = path.join(configDir, 'log4j2.properties');
  fs.writeFileSync(properties, serverProperties(dataDir, brokerPort, controllerPort));
  fs.writeFileSync(log4j, LOG4J2_PROPERTIES);
  return { properties, log4j };
}

async function formatStorageOnce(
  classpath: string,
  log4j: string,
  properties: string,
  dataDir: string,
): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
  const tool = (args: string[]) =>
    runCommand(javaBinary(), [
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      ...args,
    ]);
  const clusterId = (await tool(['random-uuid'])).stdout.trim().split('\n').pop() ?? '';
  await tool(['format', '-t', clusterId, '-c', properties]);
}

export const kafkaServer: ServerDefinition = {
  name: 'kafka',
  commandMarker: 'kafka.Kafka',
  portCount: 2,
  readyTimeoutMs: 90_000,

  async launch(context: LaunchContext): Promise<LaunchedServer> {
    const classpath = `${await kafkaLibDir(context)}/*`;
    const configDir = path.join(context.infraDir, 'kafka', 'config');
    const dataDir = path.join(context.infraDir, 'kafka', 'data');
    fs.mkdirSync(configDir, { recursive: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const { properties, log4j } = writeConfig(configDir, dataDir, context.ports);
    await formatStorageOnce(classpath, log4j, properties, dataDir);
    const child = spawnDetached(
      javaBinary(),
      [
        ...KAFKA_JVM_FLAGS,
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4j}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        properties,
      ],
      { logFile: context.logFile },
    );
    return { child, endpoint: `127.0.0.1:${context.ports[0]}` };
  },

  isReady: kafkaBrokerRegistered,
};
