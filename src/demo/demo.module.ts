import { Global, Module, OnModuleInit } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import { demoClientsSeeder } from './demo-clients.seeder';
import { demoFacilitiesSeeder } from './demo-facilities.seeder';
import { DemoSeedService } from './demo-seed.service';

@Global()
@Module({ providers: [DemoSeedService], exports: [DemoSeedService] })
export class DemoModule implements OnModuleInit {
  constructor(private readonly seeds: DemoSeedService, private readonly auth: AuthService) {}
  onModuleInit() {
    this.seeds.register(demoFacilitiesSeeder);
    this.seeds.register(demoClientsSeeder(this.auth));
  }
}
