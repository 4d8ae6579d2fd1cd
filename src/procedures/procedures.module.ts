import { Module, OnModuleInit } from '@nestjs/common';
import { DemoSeedService } from '../demo/demo-seed.service';
import { demoProceduresSeeder } from './demo-procedures.seeder';
import { NextActionsService } from './next-actions.service';
import { ProceduresResolver } from './procedures.resolver';
import { ProceduresService } from './procedures.service';

/** Intake procedures per municipality (入所手続き), class age and the "what to do now" plan. */
@Module({ providers: [ProceduresService, NextActionsService, ProceduresResolver], exports: [ProceduresService, NextActionsService] })
export class ProceduresModule implements OnModuleInit {
  constructor(private readonly seeds: DemoSeedService, private readonly procedures: ProceduresService) {}

  onModuleInit() {
    this.seeds.register(demoProceduresSeeder(this.procedures));
  }
}
