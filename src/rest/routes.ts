import type { RestRoute } from './route.js';
import { ARTIFACT_ROUTES } from './routes-artifacts.js';
import { AUTH_ROUTES } from './routes-auth.js';
import { CONSOLE_ROUTES } from './routes-consoles.js';
import { EVENT_LOG_ROUTES } from './routes-event-log.js';
import { EVENT_ROUTES } from './routes-events.js';
import { HOST_ROUTES } from './routes-host.js';
import { HOST_MANAGE_ROUTES } from './routes-host-manage.js';
import { IMAGE_ROUTES } from './routes-images.js';
import { JOB_ROUTES } from './routes-jobs.js';
import { METADATA_ROUTES } from './routes-metadata.js';
import { METRICS_ROUTES } from './routes-metrics.js';
import { PACKAGE_ROUTES } from './routes-packages.js';
import { RESOURCE_ROUTES } from './routes-resources.js';
import { SYSTEM_ROUTES } from './routes-systems.js';
import { USER_ROUTES } from './routes-users.js';

/**
 * Every route of the REST edge, in the order the OpenAPI document lists them.
 *
 * @example
 * ROUTES.find((r) => r.operationId === 'getSystem')?.path; // '/systems/{id}'
 */
export const ROUTES: readonly RestRoute[] = [
  ...HOST_ROUTES,
  ...HOST_MANAGE_ROUTES,
  ...IMAGE_ROUTES,
  ...SYSTEM_ROUTES,
  ...METADATA_ROUTES,
  ...RESOURCE_ROUTES,
  ...CONSOLE_ROUTES,
  ...JOB_ROUTES,
  ...PACKAGE_ROUTES,
  ...ARTIFACT_ROUTES,
  ...AUTH_ROUTES,
  ...USER_ROUTES,
  ...EVENT_ROUTES,
  ...EVENT_LOG_ROUTES,
  ...METRICS_ROUTES,
];
