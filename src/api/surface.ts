import { type StaticDecode, Type } from '@sinclair/typebox';

/** The host's own attack-surface report (issue 16): what listens, what runs as whom, what the host process may do. */

/** One listening socket of the host's machine (from /proc/net: every network namespace the host process sees). */
export const ListeningSocketSchema = Type.Object({
  protocol: Type.Union([
    Type.Literal('tcp'),
    Type.Literal('tcp6'),
    Type.Literal('udp'),
    Type.Literal('udp6'),
  ]),
  /** The local address, as the kernel shows it (`0.0.0.0`, `::`, `127.0.0.1`). */
  address: Type.String({ maxLength: 64 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
});

/** One process of the machine: its command name and the user it runs as (the real and effective uid). */
export const SurfaceProcessSchema = Type.Object({
  pid: Type.Integer({ minimum: 1 }),
  name: Type.String({ maxLength: 64 }),
  uid: Type.Integer({ minimum: 0 }),
  /** The user's name from /etc/passwd, when it has one. */
  user: Type.Optional(Type.String({ maxLength: 64 })),
});

/** Wire schema of {@link SurfaceReport}. */
export const SurfaceReportSchema = Type.Object({
  /** Sockets listening for connections (TCP) or bound to receive (UDP), sorted by port; loopback ones included. */
  listening: Type.Array(ListeningSocketSchema, { maxItems: 4096 }),
  /** Every process the host sees (kernel threads left out), sorted by pid; at most 4096. */
  processes: Type.Array(SurfaceProcessSchema, { maxItems: 4096 }),
  /** The host process itself: its user, capabilities (names, as capabilities(7)), no_new_privs and seccomp. */
  self: Type.Object({
    pid: Type.Integer({ minimum: 1 }),
    uid: Type.Integer({ minimum: 0 }),
    user: Type.Optional(Type.String({ maxLength: 64 })),
    effective: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 64 }),
    permitted: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 64 }),
    bounding: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 64 }),
    noNewPrivileges: Type.Boolean(),
    /** 0 none, 1 strict, 2 filter (the Seccomp line of /proc/self/status). */
    seccomp: Type.Integer({ minimum: 0, maximum: 2 }),
  }),
});

/**
 * What the host exposes, as it sees it: listening sockets, processes and their users, its own capabilities.
 *
 * @example
 * const { listening } = await api.host.surface();
 */
export type SurfaceReport = StaticDecode<typeof SurfaceReportSchema>;
