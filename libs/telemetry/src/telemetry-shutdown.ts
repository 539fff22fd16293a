import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { shutdownTelemetry } from './start-telemetry';

/** Exports the spans still buffered before the process exits. */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTelemetry();
  }
}
