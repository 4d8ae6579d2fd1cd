// Every TypeORM entity; features add theirs here.
import { Application, ApplicationEvent, ApplicationRecipient, ApplicationWish } from '../applications/application.entity';
import { BatchFile, MunicipalityDelivery, MunicipalityFeedCursor, MunicipalityFeedEntry } from '../applications/municipality-delivery.entity';
import { AuditLogEntry } from '../audit/audit-log.entity';
import { ApiClient } from '../auth/api-client.entity';
import { Facility, FacilityClassAge } from '../facilities/facility.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { AdminAlert, DeliveryAttempt, OutboxMessage, WebhookEndpoint } from '../outbox/outbox.entities';

export const ALL_ENTITIES: Function[] = [Municipality, Facility, FacilityClassAge, ApiClient, WebhookEndpoint, OutboxMessage, DeliveryAttempt, AdminAlert, Application, ApplicationWish, ApplicationRecipient, ApplicationEvent, MunicipalityDelivery, MunicipalityFeedEntry, MunicipalityFeedCursor, BatchFile, AuditLogEntry];
