import { type StaticDecode, Type } from '@sinclair/typebox';
import type { Capabilities } from './capabilities.js';
import { TRANSPORTS } from './principal.js';
import { oneOf, Timestamp } from './schema.js';
import type { SurfaceReport } from './surface.js';

/** The host as a whole: who it is and what it can do. */

/** Wire schema of a certificate's summary (X.509, RFC 5280 §4.1): who it names, who signed it, when it is valid. */
export const CertificateInfoSchema = Type.Object({
  /** The subject's distinguished name, one `KEY=value` a line, as OpenSSL prints it (`CN=h1\nO=Vessel`). */
  subject: Type.String({ maxLength: 4096 }),
  issuer: Type.String({ maxLength: 4096 }),
  /** DNS names and addresses it is for (`DNS:h1, IP Address:127.0.0.1`). */
  subjectAltName: Type.Optional(Type.String({ maxLength: 4096 })),
  validFrom: Timestamp,
  validTo: Timestamp,
  /** SHA-256 of the DER certificate, colon-separated upper-case hex pairs. */
  fingerprint256: Type.String({ pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){31}$' }),
  serialNumber: Type.String({ pattern: '^[0-9A-F]{1,64}$' }),
});

/**
 * A certificate's summary.
 *
 * @example
 * const c: CertificateInfo = (await api.host.info()).certificate!; // c.fingerprint256 === 'AB:CD:...'
 */
export type CertificateInfo = StaticDecode<typeof CertificateInfoSchema>;

/** Wire schema of {@link HostInfo}. */
export const HostInfoSchema = Type.Object({
  name: Type.String({ maxLength: 256 }),
  vesselVersion: Type.String({ maxLength: 64 }),
  startedAt: Timestamp,
  systemCount: Type.Integer({ minimum: 0 }),
  /** The transport this answer came through. */
  transport: oneOf(TRANSPORTS),
  driver: Type.Object({
    uri: Type.String({ maxLength: 1024 }),
    name: Type.String({ maxLength: 128 }),
    hypervisorVersion: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  /**
   * The software the host runs: in a Vessel host image, the image's version and the SHA-256 of its boot set (the
   * hex digest of the boot medium's live/SHA256SUMS, which lists each layer's sum); elsewhere the Vessel package
   * version and no digest. Absent from hosts that do not say (older hosts, CIM servers of other makers).
   */
  software: Type.Optional(
    Type.Object({
      version: Type.String({ maxLength: 64 }),
      digest: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
      /** True when the host runs from a Vessel host image. */
      image: Type.Boolean(),
    }),
  ),
  /**
   * The host's HTTPS certificate (STATE/cim-cert.pem, which the CIM-XML, WS-Man and REST listeners present unless
   * given another), for a client to compare with what its connection shows or to pin. Absent until the host has
   * one (no HTTPS listener has started), and from hosts that do not say.
   */
  certificate: Type.Optional(CertificateInfoSchema),
  /** Only for a local principal: the state directory and the host's process. */
  local: Type.Optional(
    Type.Object({ stateDir: Type.String({ maxLength: 4096 }), pid: Type.Integer({ minimum: 1 }) }),
  ),
});

/**
 * Who the host is.
 *
 * @example
 * const { name, driver } = await api.host.info();
 */
export type HostInfo = StaticDecode<typeof HostInfoSchema>;

/** The host namespace of the Api. */
export interface HostApi {
  info(): Promise<HostInfo>;
  /** What this host can do, as seen through this transport (a transport removes what it cannot carry). */
  capabilities(): Promise<Capabilities>;
  /** The host's own attack-surface report (admins): listening sockets, processes and users, its capabilities. */
  surface(): Promise<SurfaceReport>;
}
