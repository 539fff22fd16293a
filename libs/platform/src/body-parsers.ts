import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';

export interface BodyParserOptions {
  /** Largest JSON body accepted (express's default is 100 kB). */
  jsonBodyLimitBytes?: number;
  /**
   * Routes whose body stays raw bytes (`@Body()` is a Buffer) and is never JSON-parsed, each
   * with its own size cap checked before anything is read: a signed webhook must be verified
   * on the bytes as received, before a parser spends work on an unauthenticated body.
   */
  rawBodyRoutes?: Array<{ path: string; limitBytes: number }>;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  // Express routes ignore case and a trailing slash: so must the choice of parser.
  return (query === -1 ? url : url.slice(0, query)).toLowerCase().replace(/\/+$/, '');
}

/**
 * Registers the body parsers before Nest adds its defaults. The raw parser of a route comes
 * first: once it has read the body, the JSON parser leaves the request alone.
 */
export function configureBodyParsers(
  app: NestExpressApplication,
  options: BodyParserOptions,
): void {
  for (const route of options.rawBodyRoutes ?? []) {
    const path = route.path.toLowerCase().replace(/\/+$/, '');
    app.useBodyParser('raw', {
      // Whatever the Content-Type says: the route never sees a parsed body.
      type: (request: IncomingMessage) => pathOf(request) === path,
      limit: route.limitBytes,
    });
  }
  if (options.jsonBodyLimitBytes) app.useBodyParser('json', { limit: options.jsonBodyLimitBytes });
}
