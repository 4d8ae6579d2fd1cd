// Every migration, in order. Each file is reviewed by hand; the schema is never synchronized.
import { Foundation1764000000000 } from './1764000000000-foundation';
import { Outbox1764000001000 } from './1764000001000-outbox';
import { Vacancies1764000002000 } from './1764000002000-vacancies';
import { ProceduresAndTours1764000003000 } from './1764000003000-procedures-and-tours';
import { Applications1764000004000 } from './1764000004000-applications';
import { Status1764000005000 } from './1764000005000-status';
import { SubmissionPerformance1764000007000 } from './1764000007000-submission-performance';
import { VacancyBulkWrite1764000008000 } from './1764000008000-vacancy-bulk-write';
import { SearchChangeNotices1764000009000 } from './1764000009000-search-change-notices';
import { VacancyGrid1764000010000 } from './1764000010000-vacancy-grid';
import { NoParallelSearchScans1764000011000 } from './1764000011000-no-parallel-search-scans';
import { SharedRateLimit1764000012000 } from './1764000012000-shared-rate-limit';
import { PossibleDuplicateChild1764000013000 } from './1764000013000-possible-duplicate-child';
import { BoundFieldTokens1764000014000 } from './1764000014000-bound-field-tokens';
import { ScheduledJobRun1764000015000 } from './1764000015000-scheduled-job-run';

export const ALL_MIGRATIONS = [
  Foundation1764000000000, Outbox1764000001000, Vacancies1764000002000, ProceduresAndTours1764000003000, Applications1764000004000, Status1764000005000,
  SubmissionPerformance1764000007000, VacancyBulkWrite1764000008000, SearchChangeNotices1764000009000, VacancyGrid1764000010000,
  NoParallelSearchScans1764000011000, SharedRateLimit1764000012000, PossibleDuplicateChild1764000013000, BoundFieldTokens1764000014000, ScheduledJobRun1764000015000,
];
