import type { z } from 'zod';

/**
 * FETCH_ALLOW_HOSTS opens private addresses to page and image fetches (tests, local development):
 * refused with `NODE_ENV=production` unless FETCH_ALLOW_HOSTS_IN_PRODUCTION=true says it is meant.
 * Add it to the `superRefine` of every service that reads FETCH_ALLOW_HOSTS.
 */
export function refuseFetchAllowHostsInProduction<
  Config extends {
    NODE_ENV: string;
    FETCH_ALLOW_HOSTS: string[];
    FETCH_ALLOW_HOSTS_IN_PRODUCTION: boolean;
  },
>(config: Config, context: z.core.$RefinementCtx<Config>): void {
  if (
    config.NODE_ENV === 'production' &&
    config.FETCH_ALLOW_HOSTS.length > 0 &&
    !config.FETCH_ALLOW_HOSTS_IN_PRODUCTION
  ) {
    context.addIssue({
      code: 'custom',
      path: ['FETCH_ALLOW_HOSTS'],
      message:
        'FETCH_ALLOW_HOSTS is refused with NODE_ENV=production unless FETCH_ALLOW_HOSTS_IN_PRODUCTION=true',
    });
  }
}
