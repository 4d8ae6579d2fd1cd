import { Module, OnModuleInit } from '@nestjs/common';
import { DemoSeedService } from '../demo/demo-seed.service';
import { demoToursSeeder } from './demo-tours.seeder';
import { TourBookingsResolver, TourSlotsResolver } from './tours.resolver';
import { ToursService } from './tours.service';

/** Tour slots (見学枠) published by facilities and tour bookings (見学予約) made by partner apps. */
@Module({ providers: [ToursService, TourSlotsResolver, TourBookingsResolver], exports: [ToursService] })
export class ToursModule implements OnModuleInit {
  constructor(private readonly seeds: DemoSeedService) {}

  onModuleInit() {
    this.seeds.register(demoToursSeeder);
  }
}
