// Feature modules beyond the foundation; each issue adds its module here.
import { OutboxModule } from './outbox/outbox.module';
import { VacanciesModule } from './vacancies/vacancies.module';
import { ProceduresModule } from './procedures/procedures.module';
import { ToursModule } from './tours/tours.module';
import { ApplicationsModule } from './applications/applications.module';
import { StatusModule } from './status/status.module';
export const FEATURE_MODULES: Array<new (...args: never[]) => unknown> = [OutboxModule, VacanciesModule, ProceduresModule, ToursModule, ApplicationsModule, StatusModule];
