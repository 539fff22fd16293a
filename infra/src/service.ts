import type { ChildProcess } from 'node:child_process';

export type ServerName = 'kafka' | 'opensearch' | 's3' | 'redis';

export const SERVER_NAMES: readonly ServerName[] = ['kafka', 'opensearch', 's3', 'redis'];

export interface InfraEndpoints {
  kafkaBrokers: string;
  redisUrl: string;
  opensearchUrl: string;
  s3Endpoint: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  s3Region: string;
}

/** What the state file remembers about one running server. */
export interface ServiceRecord {
  name: ServerName;
  pid: number;
  processGroup: number;
  endpoint: string;
  log: string;
}

export interface LaunchContext {
  infraDir: string;
  cacheDir: string;
  logFile: string;
  ports: number[];
  progress: (message: string) => void;
}

export interface LaunchedServer {
  child: ChildProcess;
  endpoint: string;
  /** Set when the spawned process only wraps the server (runuser): the server writes its own pid here. */
  pidFile?: string;
}

export interface ServerDefinition {
  name: ServerName;
  /** Part of the server's command line, checked before signalling a recorded pid that may have been recycled. */
  commandMarker: string;
  portCount: number;
  readyTimeoutMs: number;
  launch(context: LaunchContext): Promise<LaunchedServer>;
  isReady(endpoint: string): Promise<boolean>;
}
