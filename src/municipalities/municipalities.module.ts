import { Global, Module } from '@nestjs/common';
import { MunicipalitiesResolver } from './municipalities.resolver';
import { MunicipalitiesService } from './municipalities.service';

@Global()
@Module({ providers: [MunicipalitiesService, MunicipalitiesResolver], exports: [MunicipalitiesService] })
export class MunicipalitiesModule {}
