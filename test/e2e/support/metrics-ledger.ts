/** Sum of every sample of a counter (all label sets) in a Prometheus text exposition. */
export function counterSum(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

interface Lifetime {
  pid: number;
  values: Record<string, number>;
}

/**
 * Counters of processes that get SIGKILLed and restarted: a restarted process counts from 0,
 * so the ledger keeps each process lifetime's last scraped value and adds them up. A kill is
 * preceded by a scrape; what a process counts between that scrape and its death (a few
 * milliseconds) is not seen.
 */
export class MetricsLedger {
  private readonly banked: Record<string, number> = {};
  private readonly current = new Map<string, Lifetime>();

  constructor(private readonly names: string[]) {}

  async scrape(key: string, url: string, pid: number | undefined): Promise<void> {
    if (!pid) return;
    let text: string;
    try {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) return;
      text = await response.text();
    } catch {
      return;
    }
    const previous = this.current.get(key);
    if (previous && previous.pid !== pid) {
      for (const [name, value] of Object.entries(previous.values)) {
        this.banked[name] = (this.banked[name] ?? 0) + value;
      }
    }
    this.current.set(key, {
      pid,
      values: Object.fromEntries(this.names.map((name) => [name, counterSum(text, name)])),
    });
  }

  total(name: string): number {
    let sum = this.banked[name] ?? 0;
    for (const lifetime of this.current.values()) sum += lifetime.values[name] ?? 0;
    return sum;
  }
}
