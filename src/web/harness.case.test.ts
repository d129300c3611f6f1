import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { type RestTestHost, startRestTestHost } from '../rest/index.js';

// The browser tests' harness: the UI built by the real build script into a temp dir, a real host serving it (REST
// test host on test:///default), Debian's Chromium driven by playwright-core, and pages that fail their test on any
// page error or console error, with a screenshot and a Playwright trace kept on failure (test-artifacts/web/).

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Launch flags for a machine without network or GPU (see shared/notes/appliance.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The test users: name, role, password. */
export const USERS: Array<[string, 'admin' | 'operator' | 'reader', string]> = [
  ['admin', 'admin', 'secret'],
  ['op', 'operator', 'op-pw'],
  ['rd', 'reader', 'rd-pw'],
];

/** A host serving the UI: its REST base URL (`http://127.0.0.1:PORT/api/v1`) and how to stop it. */
export interface WebHost {
  restUrl: string;
  close(): Promise<void>;
}

/** What a browser test holds: the built files, the host, the browser, and where screenshots go. */
export interface WebHarness<H extends WebHost = RestTestHost> {
  dir: string;
  web: string;
  host: H;
  /** `http://127.0.0.1:PORT` */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the UI, starts a host serving it (default: the REST test host with USERS, HTTPS on too so that it has its certificate) and launches Chromium. */
export async function startWebHarness(vms?: number): Promise<WebHarness>;
export async function startWebHarness<H extends WebHost>(
  vms: number,
  start: (web: string, dir: string) => Promise<H>,
): Promise<WebHarness<H>>;
export async function startWebHarness(
  vms = 2,
  start: (web: string, dir: string) => Promise<WebHost> = (web) =>
    startRestTestHost({ vms, users: USERS, web, https: true }),
): Promise<WebHarness<WebHost>> {
  const dir = await mkdtemp(join(tmpdir(), 'vessel-webtest-'));
  const web = join(dir, 'web');
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), web]);
  const host = await start(web, dir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const h: WebHarness<WebHost> = {
    dir,
    web,
    host,
    base: host.restUrl.replace(/\/api\/v1$/, ''),
    browser,
    close: async () => {
      await browser.close();
      await host.close();
      await rm(h.dir, { recursive: true, force: true });
    },
  };
  return h;
}

/**
 * Where a failed browser test leaves its screenshot and trace (`test-artifacts/web/<test>/<page>/`, under the repository;
 * `VESSEL_TEST_ARTIFACTS` moves the root): CI keeps this folder as the run's artefacts.
 */
export const ARTIFACTS = join(process.env.VESSEL_TEST_ARTIFACTS ?? join(ROOT, 'test-artifacts'), 'web');

/** A test's name as a folder name: letters, digits, `.`, `_` and `-`, at most 80. */
export function artifactDir(test: string): string {
  return join(ARTIFACTS, fileNameOf(test));
}

/** A name as one folder name: letters, digits, `.`, `_` and `-`, at most 80 characters. */
function fileNameOf(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 80) || 'test'
  );
}

/** A page's problems: page errors and console errors, except the ones a test says it expects. */
export interface Watched {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

/**
 * Opens a page in a fresh context that records every `pageerror` and `console.error` (a failed request shows as
 * one: `expected401` names the API paths where a 401 is the point), every request to another host and every
 * browser dialog (alert, confirm: the UI has its own). The context records a Playwright trace (screenshots and DOM
 * snapshots); if the test fails, the page's screenshot and the trace are written under {@link artifactDir} and
 * their paths printed (open the trace with `npx playwright-core show-trace FILE`).
 */
export async function openPage(
  h: WebHarness<WebHost>,
  name: string,
  o: { width?: number; expected401?: string[]; allow?: RegExp[] } = {},
): Promise<Watched> {
  const context = await h.browser.newContext({ viewport: { width: o.width ?? 1024, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // The host may have no internet: the page fetches nothing but from the host that served it (any scheme: the
  // consoles' WebSockets), and data: or blob: URLs.
  const host = new URL(h.base).host;
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.host !== host)
      problems.push(`external request: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`browser dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    const allowed =
      ((o.expected401 ?? []).some((p) => url.endsWith(p)) && m.text().includes('401')) ||
      (o.allow ?? []).some((re) => re.test(`${m.text()} ${url}`));
    if (!allowed) problems.push(`console.error: ${m.text()} (${url})`);
  });
  await context.tracing.start({ screenshots: true, snapshots: true, title: name });
  onTestFailed(async ({ task }) => {
    // One folder per page: a test with two pages (two users watching each other) keeps both.
    const dir = join(artifactDir(task.name), fileNameOf(name));
    await mkdir(dir, { recursive: true });
    const shot = join(dir, 'screenshot.png');
    const trace = join(dir, 'trace.zip');
    const saved = await page.screenshot({ path: shot, fullPage: true }).then(
      () => `screenshot ${shot}`,
      (e: unknown) => `no screenshot (${String(e)})`,
    );
    const traced = await context.tracing.stop({ path: trace }).then(
      () => `trace ${trace}`,
      (e: unknown) => `no trace (${String(e)})`,
    );
    console.error(`artefacts of the failed test "${task.name}" (${name}): ${saved}; ${traced}`);
  });
  return { page, context, problems };
}

/** Logs in through the form, as a person does with the keyboard. */
export async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
}
