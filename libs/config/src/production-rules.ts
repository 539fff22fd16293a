import type { z } from 'zod';

/**
 * `DEVELOPMENT_MODE=true` relaxes checks that protect a public deployment (unsigned webhooks):
 * refused with `NODE_ENV=production`. Add it to the `superRefine` of every service that reads
 * DEVELOPMENT_MODE.
 */
export function refuseDevelopmentModeInProduction<
  Config extends { NODE_ENV: string; DEVELOPMENT_MODE: boolean },
>(config: Config, context: z.core.$RefinementCtx<Config>): void {
  if (config.NODE_ENV === 'production' && config.DEVELOPMENT_MODE) {
    context.addIssue({
      code: 'custom',
      path: ['DEVELOPMENT_MODE'],
      message: 'DEVELOPMENT_MODE=true is refused with NODE_ENV=production',
    });
  }
}
