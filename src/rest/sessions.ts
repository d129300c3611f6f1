import type { Api, Principal, Role } from '../api/index.js';

/** Opens the Api for a caller (on a Vessel host: `hostApiFactory(host)`, as the CIM-XML edge uses). */
export type RestApiFactory = (principal: Principal) => Api;

const MAX_SESSIONS = 256;

/**
 * One Api session per user and role, opened on first use and kept (the oldest closed beyond 256), so that a
 * request costs no session set-up.
 *
 * @example
 * const api = sessions.of('alice', 'reader');
 */
export class Sessions {
  private readonly open = new Map<string, Api>();

  constructor(private readonly factory: RestApiFactory) {}

  of(user: string, role: Role): Api {
    const id = `${role}\u0000${user}`;
    let api = this.open.get(id);
    if (api === undefined) {
      if (this.open.size >= MAX_SESSIONS) {
        const [oldest, old] = this.open.entries().next().value as [string, Api];
        this.open.delete(oldest);
        void old.close().catch(() => undefined);
      }
      api = this.factory({ user, role, local: false, via: 'rest' });
      this.open.set(id, api);
    }
    return api;
  }

  /** Closes every session. */
  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((a) => a.close().catch(() => undefined)));
  }
}
