/** The REST client: the whole Api over a Vessel host's /api/v1 (`vessel --connect rest+https://host:8443`). */
export { RestApi } from './api.js';
export { restEvents, sseParser } from './events.js';
export { RestHttp, type RestHttpOptions } from './http.js';
