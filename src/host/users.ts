import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ROLES, type Role } from '../api/index.js';
import { fileVersion, writeFileDurable } from '../durable/index.js';
import { HostError } from './errors.js';
import { KeyedLock } from './lock.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/** scrypt cost parameters (RFC 7914): N = 2^14, r = 8, p = 1, a 32-byte key; about 50 ms per check. */
const PARAMS = { N: 16384, r: 8, p: 1, keyLen: 32 };

/** One user of the users file; `hash` is `scrypt$N$r$p$<salt b64>$<key b64>`. */
export interface UserEntry {
  name: string;
  role: Role;
  hash: string;
}

/** What a change of one user did: `done`, or why nothing was written. */
export type UserChange = 'done' | 'missing' | 'last-admin';

/** The file name of the users file inside a host's state directory. */
export const USERS_FILE = 'users.json';

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS.keyLen, {
    N: PARAMS.N,
    r: PARAMS.r,
    p: PARAMS.p,
    maxmem: 64 << 20,
  });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a hash in constant time; false for a malformed hash. */
export async function checkPassword(password: string, hash: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > 1 << 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, {
    N,
    r,
    p,
    maxmem: 256 << 20,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * The users of a host: a JSON file of names, roles and scrypt hashes, written with mode 0600. The server re-reads
 * it when it changes; successful checks are cached by a digest of the credentials so that keep-alive clients
 * that send Basic credentials on every request do not pay scrypt each time.
 *
 * @example
 * const users = new UserStore('/var/lib/vessel/users.json');
 * await users.add('alice', 'admin', 'secret');
 * await users.authenticate('alice', 'secret'); // { name: 'alice', role: 'admin' }
 */
export class UserStore {
  private entries: UserEntry[] = [];
  /** The file's version when last read (fileVersion), undefined before the first read. */
  private version: string | undefined;
  private checkedAt = 0;
  private readonly cache = new Map<string, { name: string; role: Role }>();
  private readonly dummy = hashPassword('not a password');
  /** Changes of this process one after the other, so that none is lost between its read and its write. */
  private readonly writes = new KeyedLock();

  constructor(readonly file: string) {}

  /** Reads the file when it changed (looking at most once a second); a missing file means no users. */
  async load(): Promise<UserEntry[]> {
    if (this.version !== undefined && Date.now() - this.checkedAt < 1000) return this.entries;
    this.checkedAt = Date.now();
    const version = await fileVersion(this.file);
    if (version === this.version) return this.entries;
    this.cache.clear();
    this.version = version;
    if (version === '') {
      this.entries = [];
      return this.entries;
    }
    const data = JSON.parse(await readFile(this.file, 'utf8')) as { users?: UserEntry[] };
    this.entries = (data.users ?? []).filter((u) => NAME.test(u.name) && ROLES.includes(u.role));
    return this.entries;
  }

  /**
   * Adds a user, or replaces the role and password of one that exists (`replace: false`: leaves it as it is and
   * answers false). True when the file was written.
   */
  async add(name: string, role: Role, password: string, o: { replace?: boolean } = {}): Promise<boolean> {
    if (!NAME.test(name))
      throw new HostError('USAGE', `User name "${name}" is not usable: 1 to 64 letters, digits, . _ @ -`);
    if (!ROLES.includes(role))
      throw new HostError('USAGE', `Role "${role}" is not one of ${ROLES.join(', ')}`);
    if (password.length < 1) throw new HostError('USAGE', 'The password is empty');
    const hash = await hashPassword(password);
    return this.writes.run(this.file, async () => {
      const now = await this.reload();
      if (o.replace === false && now.some((u) => u.name === name)) return false;
      await this.save([...now.filter((u) => u.name !== name), { name, role, hash }]);
      return true;
    });
  }

  /**
   * Removes a user: `missing` when there was none, `last-admin` (and nothing written) when it is the last admin of a
   * file that has one (the ports would be left with no one who may manage them).
   */
  remove(name: string): Promise<UserChange> {
    return this.change(name, (users) => users.filter((u) => u.name !== name));
  }

  /** Changes a user's role; `missing` or `last-admin` as {@link remove} says. */
  setRole(name: string, role: Role): Promise<UserChange> {
    if (!ROLES.includes(role))
      throw new HostError('USAGE', `Role "${role}" is not one of ${ROLES.join(', ')}`);
    return this.change(name, (users) => users.map((u) => (u.name === name ? { ...u, role } : u)));
  }

  /** Sets a user's password (a fresh salt); `missing` when there is no such user. */
  async setPassword(name: string, password: string): Promise<UserChange> {
    if (password.length < 1) throw new HostError('USAGE', 'The password is empty');
    const hash = await hashPassword(password);
    return this.change(name, (users) => users.map((u) => (u.name === name ? { ...u, hash } : u)));
  }

  /** One change of the user `name` under the file's lock, refused when it would leave no admin. */
  private change(name: string, edit: (users: UserEntry[]) => UserEntry[]): Promise<UserChange> {
    return this.writes.run(this.file, async () => {
      const users = await this.reload();
      if (!users.some((u) => u.name === name)) return 'missing';
      const next = edit(users);
      const admins = (list: UserEntry[]) => list.filter((u) => u.role === 'admin').length;
      if (admins(users) > 0 && admins(next) === 0) return 'last-admin';
      await this.save(next);
      return 'done';
    });
  }

  /**
   * The user `name` as this store last read it, without reading the file (a synchronous check of a live session:
   * changes made through this store are seen at once, another process's after the next {@link load}).
   */
  peek(name: string): { name: string; role: Role } | undefined {
    const u = this.entries.find((x) => x.name === name);
    return u === undefined ? undefined : { name: u.name, role: u.role };
  }

  /** The file as it is now, whenever it was last looked at (a change reads what another process wrote). */
  private reload(): Promise<UserEntry[]> {
    this.checkedAt = 0;
    return this.load();
  }

  /** The user and role for these credentials, or undefined. Always costs one scrypt on a cache miss. */
  async authenticate(name: string, password: string): Promise<{ name: string; role: Role } | undefined> {
    await this.load();
    const digest = createHash('sha256').update(`${name}\0${password}`).digest('base64');
    const hit = this.cache.get(digest);
    if (hit) return hit;
    const u = this.entries.find((x) => x.name === name);
    if (!u) {
      await checkPassword(password, await this.dummy);
      return undefined;
    }
    if (!(await checkPassword(password, u.hash))) return undefined;
    const who = { name: u.name, role: u.role };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(digest, who);
    return who;
  }

  private async save(users: UserEntry[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    // Durable: a hard power-off right after an admin adds a user must not leave an empty users file.
    await writeFileDurable(this.file, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
    this.version = undefined;
    await this.load();
  }
}
