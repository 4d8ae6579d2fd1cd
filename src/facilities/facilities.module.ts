import { Global, Module } from '@nestjs/common';
import { FacilitiesResolver } from './facilities.resolver';
import { FacilitiesService } from './facilities.service';
import { FacilityImportService } from './facility-import.service';

@Global()
@Module({ providers: [FacilitiesService, FacilityImportService, FacilitiesResolver], exports: [FacilitiesService, FacilityImportService] })
export class FacilitiesModule {}
