import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IngestionConfig } from '../config/ingestion.config';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Express matches routes case-insensitively, so `/V1/items` reaches the `/v1/items` handler:
 * the test must not be case-sensitive either.
 */
const API_ROUTE = /^\/v1(\/|$)/i;

/** What start-up says about access to `/v1/*`: nothing when a token guards it. */
export function openApiWarning(config: IngestionConfig): string | undefined {
  if (config.INGESTION_API_TOKEN) return undefined;
  if (config.NODE_ENV === 'production') {
    return 'INGESTION_API_OPEN=true: /v1/* is served WITHOUT a token in production; anyone who reaches this port can submit, overwrite and read items';
  }
  return 'INGESTION_API_TOKEN is not set: /v1/* is open to anyone who reaches this port (set it before exposing the service)';
}

/**
 * Every `/v1/*` route of the application, wherever its controller is declared (the status
 * routes come from src/operations), needs `Authorization: Bearer <INGESTION_API_TOKEN>` when a
 * token is configured. Registered as a global guard so a route added later is covered too.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate, OnApplicationBootstrap {
  private readonly logger = new Logger(ApiTokenGuard.name);
  private readonly expected?: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: IngestionConfig) {
    this.expected = config.INGESTION_API_TOKEN ? digest(config.INGESTION_API_TOKEN) : undefined;
  }

  onApplicationBootstrap(): void {
    const warning = openApiWarning(this.config);
    if (warning) this.logger.warn(warning);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const request = context.switchToHttp().getRequest<Request>();
    // The matched route's template, not the raw URL: encodings and case cannot dodge it.
    const route = (request.route as { path?: unknown } | undefined)?.path;
    if (typeof route === 'string' && !API_ROUTE.test(route) && !API_ROUTE.test(request.path)) {
      return true;
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    // Comparing digests keeps the comparison constant-time whatever the given token's length.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedException('a valid bearer token is required');
  }
}
