import { Global, Module, OnModuleInit } from '@nestjs/common';
import { DemoSeedService } from '../demo/demo-seed.service';
import { demoVacanciesSeeder } from './demo-vacancies.seeder';
import { OpenDataController } from './open-data.controller';
import { FacilityVacanciesResolver, VacanciesResolver, VacancySearchConnectionResolver } from './vacancies.resolver';
import { VacanciesService } from './vacancies.service';
import { SearchResultCache } from './search-cache';
import { VacancyImportService } from './vacancy-import.service';
import { VacancyWatchesService } from './vacancy-watches.service';
import { VacancyHistoryService } from './vacancy-history';

/** Vacancy federation (空き状況): figures, imports, search, open data and watches. Global so the command line can use the import. */
@Global()
@Module({
  providers: [SearchResultCache, VacanciesService, VacancyImportService, VacancyWatchesService, VacancyHistoryService, VacanciesResolver, FacilityVacanciesResolver, VacancySearchConnectionResolver],
  controllers: [OpenDataController],
  exports: [VacanciesService, VacancyImportService, VacancyWatchesService],
})
export class VacanciesModule implements OnModuleInit {
  constructor(private readonly seeds: DemoSeedService) {}
  onModuleInit() {
    this.seeds.register(demoVacanciesSeeder);
  }
}
