import { Controller, Get, Logger } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { CheckTimeoutError, ReadinessRegistry, withCheckTimeout } from './readiness.registry';

@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Names the dependency that is down, never its address or error text (`ECONNREFUSED
   * 10.0.0.5:6379` tells a caller the network layout): the detail goes to the log.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.entries().map(([name, check]) => async () => {
        const indicator = this.indicators.check(name);
        try {
          await withCheckTimeout(check);
          return indicator.up();
        } catch (error) {
          this.logger.warn(`readiness check ${name} failed: ${(error as Error).message}`);
          const message =
            error instanceof CheckTimeoutError ? `${name}: timeout` : `${name}: unavailable`;
          return indicator.down({ message });
        }
      }),
    );
  }
}
