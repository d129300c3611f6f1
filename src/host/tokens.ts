import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type NewToken, ROLES, type Role, roleAllows, type TokenInfo } from '../api/index.js';
import { fileVersion, writeFileDurable } from '../durable/index.js';
import { HostError } from './errors.js';
import { KeyedLock } from './lock.js';
import type { UserStore } from './users.js';

/** The file name of the API tokens inside a host's state directory. */
export const TOKENS_FILE = 'tokens.json';

/** One API token as the file keeps it: the SHA-256 of its secret, never the secret. */
export interface TokenEntry {
  id: string;
  user: string;
  role: Role;
  /** A label for people (`ci`, `grafana`). */
  label: string;
  created: string;
  /** ISO time after which the token is refused; absent: no end. */
  expires?: string;
  /** base64 of SHA-256 of the secret part. */
  digest: string;
}

/** The most tokens one host keeps (each user and admin together). */
export const MAX_TOKENS = 1000;

/** `vsl_<id>_<secret>`: an id of 16 hex digits and a secret of 43 base64url characters (32 bytes). */
const TOKEN = /^vsl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const LABEL = /^[\p{L}\p{N} ._@:/-]{0,64}$/u;

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64');
}

/**
 * The bearer tokens of a host's REST API (`vessel token create --role reader`): a private JSON file (mode 0600) of
 * token ids, owners, roles, labels, expiry and the SHA-256 of each secret, which is shown once when made and never
 * kept. A token acts as its owner with at most its own role: it stops working when the owner is removed, and acts
 * with the owner's role when that is lower now than when the token was made.
 *
 * @example
 * const tokens = new TokenStore('/var/lib/vessel/tokens.json', users);
 * const { token } = await tokens.create('alice', 'admin', 'reader', { label: 'grafana' });
 * await tokens.verify(token); // { name: 'alice', role: 'reader' }
 */
export class TokenStore {
  private entries: TokenEntry[] = [];
  /** The file's version when last read (fileVersion), undefined before the first read. */
  private version: string | undefined;
  private checkedAt = 0;
  private readonly writes = new KeyedLock();

  constructor(
    readonly file: string,
    private readonly users: UserStore,
  ) {}

  /** Reads the file when it changed (looking at most once a second); a missing file means no tokens. */
  private async load(): Promise<TokenEntry[]> {
    if (this.version !== undefined && Date.now() - this.checkedAt < 1000) return this.entries;
    this.checkedAt = Date.now();
    const version = await fileVersion(this.file);
    if (version === this.version) return this.entries;
    this.version = version;
    if (version === '') {
      this.entries = [];
      return this.entries;
    }
    const data = JSON.parse(await readFile(this.file, 'utf8')) as { tokens?: TokenEntry[] };
    this.entries = (data.tokens ?? []).filter(
      (t) => /^[0-9a-f]{16}$/.test(t.id) && ROLES.includes(t.role) && typeof t.digest === 'string',
    );
    return this.entries;
  }

  /**
   * Makes a token for `user` (whose role is `userRole`) acting with `role`, which may not exceed the user's own.
   * The answer holds the secret, which nothing keeps: show it once.
   */
  async create(
    user: string,
    userRole: Role,
    role: Role,
    o: { label?: string | undefined; expiresInDays?: number | undefined } = {},
  ): Promise<NewToken> {
    if (!roleAllows(userRole, role))
      throw new HostError('USAGE', `${user} (${userRole}) cannot make a token with the ${role} role`);
    const label = o.label ?? '';
    if (!LABEL.test(label))
      throw new HostError('USAGE', 'A token label is at most 64 letters, digits, spaces and . _ @ : / -');
    const days = o.expiresInDays;
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650))
      throw new HostError('USAGE', 'A token expires after 1 to 3650 days');
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const entry: TokenEntry = {
      id,
      user,
      role,
      label,
      created: now.toISOString(),
      ...(days === undefined ? {} : { expires: new Date(now.getTime() + days * 86_400_000).toISOString() }),
      digest: digestOf(secret),
    };
    await this.change((all) => {
      if (all.length >= MAX_TOKENS)
        throw new HostError('USAGE', `This host keeps at most ${MAX_TOKENS} tokens: revoke some first`);
      return [...all, entry];
    });
    const { digest: _, ...info } = entry;
    return { ...info, token: `vsl_${id}_${secret}` };
  }

  /** The tokens of `user`, or every token when `user` is undefined. */
  async list(user?: string): Promise<TokenInfo[]> {
    const all = await this.load();
    return all.filter((t) => user === undefined || t.user === user).map(({ digest: _, ...info }) => info);
  }

  /** Revokes a token (of `user` only, when given); false when there was no such token. */
  async revoke(id: string, user?: string): Promise<boolean> {
    let found = false;
    await this.change((all) =>
      all.filter((t) => {
        const hit = t.id === id && (user === undefined || t.user === user);
        found ||= hit;
        return !hit;
      }),
    );
    return found;
  }

  /**
   * Who a presented token acts as, or undefined: unknown, wrong secret, expired, or its owner gone. The secret is
   * compared in constant time; the role is the lower of the token's and its owner's current role.
   */
  async verify(token: string): Promise<{ name: string; role: Role } | undefined> {
    const m = TOKEN.exec(token);
    if (m === null) return undefined;
    let t = (await this.load()).find((e) => e.id === m[1]);
    if (t === undefined) {
      // Made a moment ago by another process: look at the file again (a stat; read only when it changed).
      this.checkedAt = 0;
      t = (await this.load()).find((e) => e.id === m[1]);
    }
    const presented = Buffer.from(digestOf(m[2]!), 'base64');
    const stored = Buffer.from(t?.digest ?? digestOf('none'), 'base64');
    const same = presented.length === stored.length && timingSafeEqual(presented, stored);
    if (t === undefined || !same) return undefined;
    if (t.expires !== undefined && Date.parse(t.expires) <= Date.now()) return undefined;
    const owner = (await this.users.load()).find((u) => u.name === t.user);
    if (owner === undefined) return undefined;
    return { name: owner.name, role: roleAllows(owner.role, t.role) ? t.role : owner.role };
  }

  private change(edit: (all: TokenEntry[]) => TokenEntry[]): Promise<void> {
    return this.writes.run(this.file, async () => {
      this.checkedAt = 0;
      const next = edit(await this.load());
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileDurable(this.file, `${JSON.stringify({ tokens: next }, null, 2)}\n`, { mode: 0o600 });
      this.version = undefined;
      await this.load();
    });
  }
}
