import { seededRandom } from '../../support/seeded-random';

export type FaultKind =
  'sigkill-service' | 'sigkill-kafka' | 'sigkill-redis' | 'stall-opensearch' | 'stall-s3';

export const FAULT_KINDS: readonly FaultKind[] = [
  'sigkill-service',
  'sigkill-kafka',
  'sigkill-redis',
  'stall-opensearch',
  'stall-s3',
];

export interface PlannedFault {
  kind: FaultKind;
  /** The service instance key for `sigkill-service`; the server's name otherwise. */
  target: string;
  /** Fires once this many items have been accepted (and then only while items are in flight). */
  afterAccepted: number;
  /** How long the target stays down (killed) or stopped (stalled). */
  downMs: number;
}

export interface ScheduleOptions {
  seed: number;
  items: number;
  /** Every service instance key: each one is SIGKILLed. */
  instances: string[];
  /** Every fault fires this many times. */
  rounds: number;
  stallMs: number;
}

/**
 * Every fault of every round at a seeded point of progress between 5 % and 85 % of the accepted
 * items, so each one strikes while items flow, whatever the machine's speed.
 */
export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const next = seededRandom(options.seed);
  const at = () => Math.max(1, Math.floor((0.05 + next() * 0.8) * options.items));
  const killedFor = () => Math.round(300 + next() * 2700);
  const faults: PlannedFault[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const instance of options.instances) {
      faults.push({
        kind: 'sigkill-service',
        target: instance,
        afterAccepted: at(),
        downMs: killedFor(),
      });
    }
    faults.push({
      kind: 'sigkill-kafka',
      target: 'kafka',
      afterAccepted: at(),
      downMs: killedFor(),
    });
    faults.push({
      kind: 'sigkill-redis',
      target: 'redis',
      afterAccepted: at(),
      downMs: killedFor(),
    });
    faults.push({
      kind: 'stall-opensearch',
      target: 'opensearch',
      afterAccepted: at(),
      downMs: options.stallMs,
    });
    faults.push({ kind: 'stall-s3', target: 's3', afterAccepted: at(), downMs: options.stallMs });
  }
  return faults.sort((a, b) => a.afterAccepted - b.afterAccepted);
}

/** The seed to use: E2E_FAULT_SEED replays a printed run, else a fresh one. */
export function faultSeed(fromEnvironment: string | undefined): number {
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    const seed = Number(fromEnvironment);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`E2E_FAULT_SEED must be an integer 0..4294967295, got ${fromEnvironment}`);
    }
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}
