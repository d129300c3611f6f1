/**
 * More of the REST API's JSON as the UI reads it (the host, pools, networks, images, jobs, events and metrics
 * samples of /api/v1/openapi.json); only the fields the UI shows are named. 64-bit sizes are decimal strings.
 */

/** GET /host. */
export interface HostView {
  info: {
    name: string;
    vesselVersion: string;
    startedAt: string;
    systemCount: number;
    driver: { uri: string; name: string; hypervisorVersion?: string };
    certificate?: CertificateView;
  };
  capabilities: {
    driver: { uri: string; name: string; version?: string };
    accelerators: { name: string; usable: boolean; reason: string }[];
    machineTypes: { name: string; isDefault: boolean }[];
    firmware: string[];
    devices: { nicModels: string[]; controllers: { kind: string; maxSlots: number }[] };
    limits: { cpus: number; memoryBytes: string; nics: number; disks: number };
  };
}

/** GET /host's `info.certificate`: the host's HTTPS certificate. */
export interface CertificateView {
  subject: string;
  issuer: string;
  subjectAltName?: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  serialNumber: string;
}

/** GET /pools items. */
export interface PoolView {
  id: string;
  isDefault: boolean;
  available: boolean;
  capacityBytes: string;
  usedBytes: string;
  allowDevices: boolean;
  path?: string;
}

/** GET /pools/{id}/images items. */
export interface ImageView {
  name: string;
  sizeBytes: string;
  format: string;
  virtualSizeBytes?: string;
  usedBy: string[];
}

/** GET /networks items. */
export interface NetworkView {
  name: string;
  mode: 'user' | 'bridge' | 'none';
  bridge?: string;
  hostForwards?: string[];
}

/** GET /jobs items (and job.* events' `job`). */
export interface JobView {
  id: string;
  operation: string;
  target?: { kind: string; id: string; name?: string };
  owner: string;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  percent: number;
  phase?: string;
  error?: { code: string; message: string; hint?: string };
  createdAt: string;
  finishedAt?: string;
}

/** GET /events/log items (the fields the UI shows). */
export interface LogEvent {
  seq: number;
  time: string;
  type: string;
  system?: string;
  uuid?: string;
  state?: string;
  reason?: { code: string; text: string };
  cause?: { kind: string; user?: string; job?: string };
  job?: JobView;
}

/** One sample of GET /systems/{id}/metrics. */
export interface MetricsSample {
  time: string;
  state: string;
  vcpus: number;
  memoryBytes: number;
  cpuSeconds?: number;
  residentBytes?: number;
  balloonBytes?: number;
  disks: { device: string; readBytes: number; writeBytes: number }[];
  nics: { nic: string; receiveBytes: number; transmitBytes: number }[];
}

/** GET /systems/{id}/metrics. */
export interface MetricsSeries {
  intervalMs: number;
  items: MetricsSample[];
}
