import { DynamicModule, Module } from '@nestjs/common';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Provides the service's configuration, validated in main.ts before anything starts, as APP_CONFIG. */
@Module({})
export class AppConfigModule {
  static forRoot(config: object): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
