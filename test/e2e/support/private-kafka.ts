import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../../infra/src/free-ports';
import { cacheDir } from '../../../infra/src/infra-paths';
import { kafkaServer } from '../../../infra/src/kafka.server';
import { stopProcess } from '../../../infra/src/processes';

/**
 * A Kafka broker of this test alone, started with the infrastructure runner's own definition
 * (same jars, flags and readiness probe) on its own ports and data folder. The shared broker
 * serves other engineers' tests, so restarting it would break them: this one can be restarted
 * on the same ports, keeping its data, as often as a test likes.
 */
export class PrivateKafka {
  private readonly dir = mkdtempSync(join(tmpdir(), 'e2e-kafka-'));
  private child?: ChildProcess;
  private ports: number[] = [];
  endpoint = '';

  async start(): Promise<string> {
    if (this.ports.length === 0) this.ports = await findFreePorts(kafkaServer.portCount);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const launched = await kafkaServer.launch({
      infraDir: this.dir,
      cacheDir: cacheDir(),
      logFile: join(this.dir, 'logs', 'kafka.log'),
      ports: this.ports,
      progress: () => undefined,
    });
    this.child = launched.child;
    this.endpoint = launched.endpoint;
    const deadline = Date.now() + kafkaServer.readyTimeoutMs;
    while (!(await kafkaServer.isReady(this.endpoint))) {
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`private Kafka did not start; see ${join(this.dir, 'logs', 'kafka.log')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return this.endpoint;
  }

  /** SIGTERM (SIGKILL after the runner's grace period), then the same broker again. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid) await stopProcess({ pid, processGroup: pid }, kafkaServer.commandMarker);
    this.child = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
