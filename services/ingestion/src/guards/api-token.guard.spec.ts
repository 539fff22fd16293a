import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { IngestionConfig } from '../config/ingestion.config';
import { ApiTokenGuard, openApiWarning } from './api-token.guard';

function contextFor(routePath: string | undefined, authorization?: string): ExecutionContext {
  const request = {
    route: routePath === undefined ? undefined : { path: routePath },
    path: routePath ?? '/',
    headers: authorization ? { authorization } : {},
  };
  return { switchToHttp: () => ({ getRequest: () => request }) } as ExecutionContext;
}

const config = (values: Partial<IngestionConfig>) => values as IngestionConfig;

describe('ApiTokenGuard: a token guards every /v1 route', () => {
  const guard = new ApiTokenGuard(config({ INGESTION_API_TOKEN: 'right-token' }));

  it.each(['/v1/items', '/v1/items/:itemId', '/v1/reconcile', '/V1/Items', '/v1'])(
    'refuses %s without the token, with a wrong one, and with another scheme',
    (route) => {
      expect(() => guard.canActivate(contextFor(route))).toThrow(UnauthorizedException);
      expect(() => guard.canActivate(contextFor(route, 'Bearer wrong-token'))).toThrow(
        UnauthorizedException,
      );
      expect(() => guard.canActivate(contextFor(route, 'Basic right-token'))).toThrow(
        UnauthorizedException,
      );
      expect(guard.canActivate(contextFor(route, 'Bearer right-token'))).toBe(true);
    },
  );

  it('refuses when the route cannot be told (closed by default)', () => {
    expect(() => guard.canActivate(contextFor(undefined))).toThrow(UnauthorizedException);
  });

  it.each(['/health/ready', '/metrics', '/webhooks/openproject'])(
    'leaves %s to its own rules',
    (route) => {
      expect(guard.canActivate(contextFor(route))).toBe(true);
    },
  );

  it('is open without a token (development)', () => {
    expect(new ApiTokenGuard(config({})).canActivate(contextFor('/v1/items'))).toBe(true);
  });
});

describe('openApiWarning: an open API is said out loud at start-up', () => {
  it('warns in development without a token', () => {
    expect(openApiWarning(config({ NODE_ENV: 'development' }))).toMatch(
      /INGESTION_API_TOKEN is not set: \/v1\/\* is open/,
    );
  });

  it('warns in production opened on purpose', () => {
    expect(openApiWarning(config({ NODE_ENV: 'production', INGESTION_API_OPEN: true }))).toMatch(
      /INGESTION_API_OPEN=true.*WITHOUT a token in production/,
    );
  });

  it('says nothing when a token guards the API', () => {
    expect(openApiWarning(config({ NODE_ENV: 'production', INGESTION_API_TOKEN: 't' }))).toBe(
      undefined,
    );
  });
});
