import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

/** Each module registers how to tell that the server it depends on answers. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}
