// Every TypeORM entity; features add theirs here.
import { Application, ApplicationEvent, ApplicationRecipient, ApplicationWish } from '../applications/application.entity';
import { BatchFile, MunicipalityDelivery, MunicipalityFeedCursor, MunicipalityFeedEntry } from '../applications/municipality-delivery.entity';
import { AuditLogEntry } from '../audit/audit-log.entity';
import { ApiClient } from '../auth/api-client.entity';
import { Facility, FacilityClassAge } from '../facilities/facility.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { VacancyWatch } from '../vacancies/vacancy-watch.entity';
import { AdminAlert, DeliveryAttempt, OutboxMessage, WebhookEndpoint } from '../outbox/outbox.entities';
import { Notification, StatusReminder } from '../status/status.entities';
import { IntakeCycleRow, IntakeProcedureRow } from '../procedures/intake-procedure.entity';
import { TourBooking, TourSlot } from '../tours/tour.entity';

export const ALL_ENTITIES: Function[] = [Municipality, Facility, FacilityClassAge, ApiClient, WebhookEndpoint, OutboxMessage, DeliveryAttempt, AdminAlert, Application, ApplicationWish, ApplicationRecipient, ApplicationEvent, MunicipalityDelivery, MunicipalityFeedEntry, MunicipalityFeedCursor, BatchFile, AuditLogEntry, Notification, StatusReminder, VacancyWatch, IntakeProcedureRow, IntakeCycleRow, TourSlot, TourBooking];
