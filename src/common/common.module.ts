import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CLOCK, Clock } from './clock';

/** Config and clock, available everywhere. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: AppConfig, clock: Clock) {
    return {
      module: CommonModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [AppConfig, CLOCK],
    };
  }
}
