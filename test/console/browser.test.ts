/**
 * The Console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core
 * through the seed page's Console flow (create an organization, add a collaborator with two
 * rights, add an API key, copy it, confirm, delete the organization), checking after each step
 * what the page shows and what the store holds (read back with the CLI). Takes the screenshots
 * of docs/ (written there with ORGS_SCREENSHOTS=1, to a temporary folder otherwise, so that a test
 * run leaves the checkout as it was). Without Chromium the file is skipped with one line, unless CI=true, where it fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compactRights } from '../../src/core/rights.js';
import { BIN, sandbox, type Sandbox, storeRows } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const DOCS = process.env.ORGS_SCREENSHOTS
  ? resolve(import.meta.dirname, '..', '..', 'docs')
  : mkdtempSync(join(tmpdir(), 'orgs-screenshots-'));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`the browser tests cannot run under CI=true: ${why}`);
  console.log(`Browser tests skipped: ${why}`);
}

/** `orgs console --no-open` against the sandbox's store: the process and the URL it printed. */
async function startConsole(
  s: Sandbox,
  as: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...s.env };
  delete env.ORGS_USER_ID;
  delete env.ORGS_API_KEY;
  Object.assign(env, as);
  const child = spawn('node', [BIN, 'console', '--no-open', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((done, fail) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n')) done(line!);
    });
    child.once('exit', (code) => fail(new Error(`orgs console exited ${code} before printing its URL: ${stderr}`)));
  });
  return { child, url, exited };
}

describe.skipIf(!haveChromium)('the Console in Chromium', () => {
  let s: Sandbox;
  let server: Awaited<ReturnType<typeof startConsole>>;
  let browser: import('playwright-core').Browser;
  let context: import('playwright-core').BrowserContext;
  let page: import('playwright-core').Page;
  const problems: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    s = sandbox();
    // The local administrator is the caller (no ORGS_USER_ID): "Owner user ID" is asked for.
    server = await startConsole(s);
    const { chromium } = await import('playwright-core');
    // Playwright gives the browser a fresh profile of its own, removed when it closes.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    const origin = new URL(server.url).origin;
    context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    // Errors in the page (a script error, a CSP violation); an API answer of 4xx is checked
    // through the alert region instead (Chromium logs it as a failed load).
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) foreign.push(url);
    });
    mkdirSync(DOCS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGINT');
    await s?.cleanup();
  });

  /** The page's one alert region: empty unless the API refused something. */
  const alert = () => page.locator('#alert');
  const status = () => page.locator('#status');
  const heading = () => page.locator('h1');
  /**
   * A change of access: its first click shows what it does to whose access (the dry run), one row
   * per change (`who | where | gains | loses`); the second makes it. Returns the rows shown.
   */
  const confirmAccess = async (button: string): Promise<string[]> => {
    await page.getByRole('button', { name: button }).click();
    const panel = page.locator('.access-changes');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const rows = await panel
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join(' | ')));
    await page.getByRole('button', { name: button }).click();
    return rows;
  };
  const shot = (name: string) => page.screenshot({ path: join(DOCS, name) });
  const origin = () => new URL(server.url).origin;
  const cli = async (...args: string[]) => (await s.ok(args)).json;

  // The functions below run in the page; this file is typed for Node, so they are given as text.

  /** Every field of the page has a label. */
  async function checkPage(): Promise<void> {
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
      .filter((control) => !control.labels || control.labels.length === 0)
      .map((control) => control.outerHTML)`);
    expect(unlabelled).toEqual([]);
  }

  /** How far the page scrolls sideways (0: not at all). */
  const horizontalOverflow = () =>
    page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

  test('the seed flow: create, collaborator, API key shown once, delete', { timeout: 120_000 }, async () => {
    // Opening the printed URL: the token becomes the session, the page the organizations list.
    await page.goto(server.url);
    await expect.poll(() => page.url()).toMatch(/#\/organizations$/);
    await expect.poll(() => heading().textContent()).toBe('Organizations');
    expect(await page.locator('.who').textContent()).toBe('Signed in as local administrator');
    expect(await page.locator('.empty').textContent()).toBe('No organizations yet.');

    // Create organization (ID, name, description; the administrator names the owner).
    await page.getByRole('link', { name: 'Create organization' }).click();
    await expect.poll(() => heading().textContent()).toBe('Create organization');
    await checkPage();
    await page.getByLabel('Organization ID', { exact: true }).fill('org1');
    await page.getByLabel('Name', { exact: true }).fill('Radio team');
    await page.getByLabel('Description', { exact: true }).fill('Gateways and sensors of the radio team');
    await page.getByLabel('Owner user ID').fill('user1');
    await shot('console-create.png');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/organizations\/org1$/);
    await expect.poll(() => status().textContent()).toBe('Organization org1 created.');
    expect(await heading().textContent()).toBe('Radio team');
    expect(await alert().textContent()).toBe('');
    const org = await cli('get', 'org1', '--all');
    expect(org).toMatchObject({
      ids: { organization_id: 'org1' },
      name: 'Radio team',
      description: 'Gateways and sensors of the radio team',
    });
    expect((await cli('collaborators', 'list', 'org1')).map((c: any) => c.ids.user_ids.user_id)).toEqual(['user1']);

    // Overview: an attribute added and saved.
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByLabel('Key', { exact: true }).fill('team');
    await page.getByLabel('Value', { exact: true }).fill('radio');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => status().textContent()).toBe('Organization org1 updated (attributes).');
    expect((await cli('get', 'org1', '--attributes')).attributes).toEqual({ team: 'radio' });
    await checkPage();
    await shot('console.png');

    // Collaborators: the API's refusal shows in the alert region; then user2 with two rights.
    const menu = page.getByRole('navigation', { name: 'Organization org1' });
    await menu.getByRole('link', { name: 'Collaborators' }).click();
    await expect.poll(() => heading().textContent()).toBe('Collaborators');
    await page.getByRole('link', { name: 'Add collaborator' }).click();
    await expect.poll(() => heading().textContent()).toBe('Add collaborator');
    await checkPage();
    await page.getByLabel('User ID', { exact: true }).fill('user2');
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    // Said under the rights, in plain words (not the API's code nor a CLI flag).
    await expect.poll(() => page.locator('.rights .field-error').textContent()).toBe('Choose at least one right.');
    expect(await alert().textContent()).toBe('');
    expect(await page.locator('#alert[role="alert"]').count()).toBe(1);
    await page.locator('input[value="RIGHT_ORGANIZATION_INFO"]').check();
    await page.locator('input[value="RIGHT_ORGANIZATION_SETTINGS_MEMBERS"]').check();
    expect(await confirmAccess('Add collaborator')).toEqual([
      'user user2 | organization org1 | Organization: info, settings-members | none',
    ]);
    await expect.poll(() => status().textContent()).toBe('Collaborator user2 added.');
    expect(await alert().textContent()).toBe('');
    expect(await heading().textContent()).toBe('Collaborators');
    const rows = page.locator('table.list tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).locator('td').first().textContent()).toBe('user2');
    // Rights as the CLI's table prints them, grouped.
    expect(await rows.nth(1).locator('.tags li').allTextContents()).toEqual(['Organization: info, settings-members']);
    expect(await cli('collaborators', 'get', 'org1', '--user-id', 'user2')).toEqual({
      ids: { user_ids: { user_id: 'user2' } },
      rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS'],
    });
    await shot('console-collaborators.png');

    // API keys: name, expiry date, rights; the key shown once, copied, confirmed.
    await menu.getByRole('link', { name: 'API keys' }).click();
    await expect.poll(() => heading().textContent()).toBe('API keys');
    expect(await page.locator('.empty').textContent()).toBe('No API keys.');
    await page.getByRole('link', { name: 'Add API key' }).click();
    await expect.poll(() => heading().textContent()).toBe('Add API key');
    await checkPage();
    const expiry = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Name', { exact: true }).fill('Gateway fleet');
    await page.getByLabel('Expiry date').fill(expiry);
    await page.locator('input[value="RIGHT_ORGANIZATION_INFO"]').check();
    await page.locator('summary', { hasText: 'Gateway rights' }).click();
    await page.locator('input[value="RIGHT_GATEWAY_INFO"]').check();
    await page.getByRole('button', { name: 'Create API key' }).click();
    await expect.poll(() => heading().textContent()).toBe('Copy your new API key');
    const key = await page.getByLabel('API key', { exact: true }).inputValue();
    expect(key).toMatch(/^NNSXS\.[A-Z0-9]+\.[A-Z0-9]+$/);
    const [listed] = await cli('api-keys', 'list', 'org1');
    expect(listed).toMatchObject({
      name: 'Gateway fleet',
      rights: ['RIGHT_GATEWAY_INFO', 'RIGHT_ORGANIZATION_INFO'],
      expires_at: `${expiry}T00:00:00.000Z`,
    });
    expect(key.split('.')[1]).toBe(listed.id);
    expect(JSON.stringify(listed)).not.toContain(key);
    // The key works, with its rights: it reads its organization.
    const asKey = await s.ok(['get', 'org1', '--name'], { env: { ORGS_API_KEY: key } });
    expect(asKey.json.name).toBe('Radio team');
    await shot('console-key.png');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => page.locator('.copy-feedback').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);
    await page.getByRole('button', { name: 'I have copied the key' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/organizations\/org1\/api-keys$/);
    await expect.poll(() => status().textContent()).toBe(`API key ${listed.id} created.`);
    expect(await page.content()).not.toContain(key);
    expect(await page.locator('table.list tbody tr td').first().textContent()).toBe(listed.id);
    // Shown once: going back does not bring it again.
    await page.goBack();
    await expect.poll(() => heading().textContent()).toBe('Add API key');
    expect(await page.content()).not.toContain(key);

    // Delete: confirmed by typing the ID (a wrong one deletes nothing).
    await menu.getByRole('link', { name: 'Delete' }).click();
    await expect.poll(() => heading().textContent()).toBe('Delete organization');
    await checkPage();
    await page.getByLabel('Type the organization ID (org1) to confirm').fill('org2');
    await page.getByRole('button', { name: 'Delete organization' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toBe('Type org1 to confirm the deletion.');
    expect((await cli('get', 'org1')).ids.organization_id).toBe('org1');
    await page.getByLabel('Type the organization ID (org1) to confirm').fill('org1');
    // What the deletion takes from whom, before it is made.
    expect((await confirmAccess('Delete organization')).map((row) => row.split(' | ').slice(0, 2).join(' | '))).toEqual(
      [
        'user user1 | organization org1',
        'user user2 | organization org1',
        expect.stringMatching(/^API key [0-9A-Z]+ \(org1\) \| organization org1$/),
      ],
    );
    await expect.poll(() => page.url()).toMatch(/#\/organizations\?deleted=true$/);
    await expect.poll(() => status().textContent()).toContain('Organization org1 deleted.');
    expect(await heading().textContent()).toBe('Deleted organizations');
    expect(await page.locator('table.list tbody tr td').first().textContent()).toBe('org1');
    // Restorable until the restore window (24 hours) ends: tomorrow, at the time of the deletion.
    const [deletion] = await cli('list', '--deleted', '--deleted-at');
    expect(await page.locator('td[data-label="Restorable until"] time').getAttribute('datetime')).toBe(
      new Date(Date.parse(deletion.deleted_at) + 86_400_000).toISOString(),
    );
    expect(await page.locator('td[data-label="Restorable until"]').textContent()).toMatch(/^tomorrow \d\d:\d\d$/);
    expect((await s.run(['get', 'org1'])).exitCode).not.toBe(0);
    expect((await cli('list', '--deleted')).map((o: any) => o.ids.organization_id)).toEqual(['org1']);

    // Restore from the deleted list.
    await page.getByRole('button', { name: /^Restore/ }).click();
    await expect.poll(() => page.url()).toMatch(/#\/organizations\/org1$/);
    await expect.poll(() => status().textContent()).toBe('Organization org1 restored.');
    expect((await cli('get', 'org1', '--name')).name).toBe('Radio team');

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });

  test(
    'applications: create for an organization, a collaborator, effective rights, activity',
    { timeout: 60_000 },
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
      await expect.poll(() => heading().textContent()).toBe('Applications');
      await page.getByRole('link', { name: 'Create application' }).click();
      await expect.poll(() => heading().textContent()).toBe('Create application');
      await checkPage();
      await page.getByLabel('Application ID', { exact: true }).fill('app1');
      await page.getByLabel('Name', { exact: true }).fill('Soil sensors');
      await page.getByLabel('Owner type', { exact: true }).selectOption('organization');
      await page.getByLabel('Owner ID', { exact: true }).fill('org1');
      await page.getByRole('button', { name: 'Create application' }).click();
      await expect.poll(() => status().textContent()).toBe('Application app1 created.');
      expect(await heading().textContent()).toBe('Soil sensors');
      expect(await cli('applications', 'collaborators', 'list', 'app1')).toEqual([
        { ids: { organization_ids: { organization_id: 'org1' } }, rights: ['RIGHT_ALL'] },
      ]);

      // A user collaborator with one right.
      const menu = page.getByRole('navigation', { name: 'Application app1' });
      await menu.getByRole('link', { name: 'Collaborators' }).click();
      await page.getByRole('link', { name: 'Add collaborator' }).click();
      await expect.poll(() => heading().textContent()).toBe('Add collaborator');
      await checkPage();
      await page.getByLabel('User or organization ID', { exact: true }).fill('user3');
      await page.locator('input[value="RIGHT_APPLICATION_INFO"]').check();
      expect(await confirmAccess('Add collaborator')).toEqual([
        'user user3 | application app1 | Application: info | none',
      ]);
      await expect.poll(() => status().textContent()).toBe('Collaborator user3 added.');
      expect(await cli('applications', 'collaborators', 'get', 'app1', '--user-id', 'user3')).toEqual({
        ids: { user_ids: { user_id: 'user3' } },
        rights: ['RIGHT_APPLICATION_INFO'],
      });

      // Effective rights of user2, who reaches app1 through org1 only: the intersection, as the CLI explains it.
      await menu.getByRole('link', { name: 'Effective rights' }).click();
      await expect.poll(() => heading().textContent()).toBe('Effective rights');
      await page.getByLabel('Whose rights', { exact: true }).selectOption('user');
      await page.getByLabel('User or organization ID', { exact: true }).fill('user2');
      await page.getByRole('button', { name: 'Show rights' }).click();
      await expect.poll(() => page.url()).toMatch(/#\/applications\/app1\/rights\?user_id=user2$/);
      await expect.poll(() => page.locator('h2').first().textContent()).toBe('The rights user user2 has on app1');
      const explained = await cli('applications', 'rights', 'app1', '--user-id', 'user2', '--explain');
      const paths = page.locator('ol.paths > li');
      expect(await paths.count()).toBe(explained.paths.length);
      expect(await paths.first().locator('h3').textContent()).toBe('Through organization org1');
      expect(await paths.first().locator('dd').last().locator('.tags li').allTextContents()).toEqual(
        compactRights(explained.paths[0].rights).map((entry) => entry.charAt(0).toUpperCase() + entry.slice(1)),
      );

      // Who has access to app1, by any path, as `orgs apps access app1` says; each user links to their paths.
      await menu.getByRole('link', { name: 'Who has access' }).click();
      await expect.poll(() => heading().textContent()).toBe('Who has access');
      const answer = await cli('applications', 'access', 'app1');
      const accessRows = page.locator('table.list tbody tr');
      expect(await accessRows.locator('td:nth-child(2)').allTextContents()).toEqual(
        answer.map((item: any) => item.ids.user_ids.user_id),
      );
      // user2's path through org1 gives nothing (its member rights there hold no application right): not listed.
      await accessRows.filter({ hasText: 'user1' }).getByRole('link', { name: 'user1' }).click();
      await expect.poll(() => page.url()).toMatch(/#\/applications\/app1\/rights\?user_id=user1$/);

      // org1's page says what it collaborates on, with its rights there.
      await page.goto(`${origin()}/#/organizations/org1/reach`);
      await expect.poll(() => heading().textContent()).toBe('Collaborates on');
      expect(await page.locator('table.list tbody tr td:nth-child(2)').allTextContents()).toEqual(
        (await cli('reach', 'org1')).map((item: any) => Object.values(Object.values(item.ids)[0] as object)[0]),
      );

      // The activity of app1, newest first.
      await page.goto(`${origin()}/#/activity?application_id=app1`);
      await expect.poll(() => heading().textContent()).toBe('Activity');
      // The CLI prints the same history as JSON documents one after another.
      const history = (await s.ok(['events', '--application-id', 'app1', '--tail', '100'])).stdout.trim();
      const names = (JSON.parse(`[${history.replace(/\n}\n{/g, '\n},\n{')}]`) as any[]).map((event) => event.name);
      expect(names).toEqual(['application.create', 'application.collaborator.update']);
      await expect.poll(() => page.locator('.event .event-name').allTextContents()).toEqual([...names].reverse());
      expect(await page.locator('.event .sentence').allTextContents()).toEqual([
        "local administrator set user3's rights on app1: info",
        'local administrator created application app1',
      ]);
      expect(await page.getByLabel('Application ID', { exact: true }).inputValue()).toBe('app1');
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    },
  );

  test('adding an existing collaborator edits it, after showing what it gains and loses', async () => {
    await page.goto(`${origin()}/#/organizations/org1/collaborators/add`);
    await expect.poll(() => heading().textContent()).toBe('Add collaborator');
    await page.getByLabel('User ID', { exact: true }).fill('user2');
    const basic = page.locator('input[value="RIGHT_ORGANIZATION_SETTINGS_BASIC"]');
    await basic.check();
    // Enter on a checkbox does not submit the form half-ticked.
    await page.evaluate(
      `(window.submits = 0, document.querySelector('#view form').addEventListener('submit', () => window.submits++))`,
    );
    await basic.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate<number>('window.submits')).toBe(0);

    // user2 holds two rights: the form switches to editing user2 and shows the change, nothing saved.
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await expect.poll(() => heading().textContent()).toBe('Edit user2');
    const panel = page.locator('.change-panel');
    expect(await panel.locator('h2').textContent()).toBe('user2 is already a collaborator');
    expect(await panel.locator('.gained .tags li').allTextContents()).toEqual(['Organization: settings-basic']);
    expect(await panel.locator('.lost .tags li').allTextContents()).toEqual(['Organization: info, settings-members']);
    expect(await status().textContent()).toBe('');
    expect((await cli('collaborators', 'get', 'org1', '--user-id', 'user2')).rights).toEqual([
      'RIGHT_ORGANIZATION_INFO',
      'RIGHT_ORGANIZATION_SETTINGS_MEMBERS',
    ]);
    // Keeping one of them: the change follows the boxes.
    await page.locator('input[value="RIGHT_ORGANIZATION_INFO"]').check();
    expect(await panel.locator('.lost .tags li').allTextContents()).toEqual(['Organization: settings-members']);
    await shot('console-existing-collaborator.png');
    expect(await confirmAccess("Save user2's rights")).toEqual([
      'user user2 | organization org1 | Organization: settings-basic | Organization: settings-members',
    ]);
    await expect.poll(() => status().textContent()).toBe('Rights of user2 saved.');
    expect((await cli('collaborators', 'get', 'org1', '--user-id', 'user2')).rights).toEqual([
      'RIGHT_ORGANIZATION_INFO',
      'RIGHT_ORGANIZATION_SETTINGS_BASIC',
    ]);

    // "All organization rights" is a choice of its own: the single boxes are disabled, not sent.
    await page.getByRole('link', { name: 'Edit user2' }).click();
    await expect.poll(() => heading().textContent()).toBe('Edit user2');
    await page.getByLabel(/^All organization rights/).check();
    expect(await page.locator('input[value="RIGHT_ORGANIZATION_INFO"]').isDisabled()).toBe(true);
    await confirmAccess('Save rights');
    await expect.poll(() => status().textContent()).toBe('Rights of user2 saved.');
    expect((await cli('collaborators', 'get', 'org1', '--user-id', 'user2')).rights).toEqual([
      'RIGHT_ORGANIZATION_ALL',
    ]);
    const row = page.locator('table.list tbody tr', { hasText: 'user2' });
    expect(await row.locator('.tags li').allTextContents()).toEqual(['Organization: all']);
    expect(problems).toEqual([]);
  });

  test('errors in plain words under their fields; a failed lookup keeps the form and the menu', async () => {
    // The ID pattern is checked as one types.
    await page.goto(`${origin()}/#/organizations/add`);
    await expect.poll(() => heading().textContent()).toBe('Create organization');
    await page.getByLabel('Organization ID', { exact: true }).pressSequentially('Radio');
    expect(await page.locator('.field-error').textContent()).toBe('Use lowercase letters: IDs have no capitals.');
    expect(await page.getByLabel('Organization ID', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Organization ID', { exact: true }).fill('radio');
    await page.getByLabel('Organization ID', { exact: true }).press('Tab');
    expect(await page.locator('.field-error').count()).toBe(0);

    // Effective rights of a malformed ID: said under the field; the form and the menu stay.
    await page.goto(`${origin()}/#/applications/app1/rights?user_id=Not_An_ID`);
    await expect.poll(() => heading().textContent()).toBe('Effective rights');
    await expect
      .poll(() => page.locator('.field-error').textContent())
      .toBe('Use 2 to 36 lowercase letters, digits and single dashes inside, such as alice.');
    expect(await page.getByRole('navigation', { name: 'Application app1' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Show rights' }).isVisible()).toBe(true);

    // A bad events filter: under the field, the form kept.
    await page.goto(`${origin()}/#/activity?names=${encodeURIComponent('/(/')}`);
    await expect.poll(() => heading().textContent()).toBe('Activity');
    await expect.poll(() => page.locator('.field-error').textContent()).toMatch(/^This is not a filter of event names/);
    expect(await page.getByLabel('Event names', { exact: true }).inputValue()).toBe('/(/');

    // Nowhere on the page: an error's code, a CLI flag, the page that replaced the form.
    const text = await page.evaluate<string>('document.body.innerText');
    expect(text).not.toMatch(/error:|--right|This page could not be shown/);
    expect(problems).toEqual([]);
  });

  test('a taken ID says what holds it, with Restore and, for an administrator, Purge', async () => {
    await s.ok(['create', 'old-team', '--user-id', 'user1']);
    await s.ok(['delete', 'old-team']);
    await page.goto(`${origin()}/#/organizations/add`);
    await expect.poll(() => heading().textContent()).toBe('Create organization');
    await page.getByLabel('Organization ID', { exact: true }).fill('old-team');
    await page.getByLabel('Owner user ID').fill('user1');
    await page.getByRole('button', { name: 'Create organization' }).click();
    const taken = page.locator('.field-error');
    await expect.poll(() => taken.textContent()).toMatch(/^old-team was deleted at \d\d:\d\d\. /);
    const restore = taken.getByRole('button', { name: /^Restore \(until tomorrow \d\d:\d\d\)$/ });
    expect(await restore.count()).toBe(1);
    await shot('console-taken.png');
    // Purge asks first; Escape closes the question and gives the focus back to Purge.
    await taken.getByRole('button', { name: 'Purge' }).click();
    expect(await taken.locator('.question').textContent()).toBe('Purge old-team for good?');
    await page.keyboard.press('Escape');
    expect(await taken.locator('.question').count()).toBe(0);
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Purge');
    await taken.getByRole('button', { name: 'Purge' }).click();
    await taken.getByRole('button', { name: 'Yes, purge' }).click();
    await expect.poll(() => status().textContent()).toBe('Organization old-team purged: its ID is free.');
    expect(await page.locator('.field-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => status().textContent()).toBe('Organization old-team created.');

    // The Deleted tab has the same actions.
    await s.ok(['delete', 'old-team']);
    await page.goto(`${origin()}/#/organizations?deleted=true`);
    await expect.poll(() => heading().textContent()).toBe('Deleted organizations');
    const row = page.locator('table.list tbody tr', { hasText: 'old-team' });
    await expect.poll(() => row.getByRole('button', { name: /^Restore \(until tomorrow/ }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Purge' }).count()).toBe(1);
    await row.getByRole('button', { name: /^Restore/ }).click();
    await expect.poll(() => status().textContent()).toBe('Organization old-team restored.');
    expect(problems).toEqual([]);
  });

  test(
    'on a phone: the key shown once is whole and asks before it is left; activity live, newest first',
    {
      timeout: 60_000,
    },
    async () => {
      await page.setViewportSize(PHONE);
      await page.goto(`${origin()}/#/organizations/org1/api-keys/add`);
      await expect.poll(() => heading().textContent()).toBe('Add API key');
      await page.getByLabel('Name', { exact: true }).fill('Phone key');
      await page.locator('input[value="RIGHT_ORGANIZATION_INFO"]').check();
      await page.getByRole('button', { name: 'Create API key' }).click();
      await expect.poll(() => heading().textContent()).toBe('Copy your new API key');
      // The whole key is in view: no scrolling inside the box, nothing past the screen's edge.
      const box = page.getByLabel('API key', { exact: true });
      expect(await box.evaluate((node: any) => node.scrollHeight <= node.clientHeight)).toBe(true);
      const bounds = (await box.boundingBox())!;
      expect(bounds.x + bounds.width).toBeLessThanOrEqual(PHONE.width);
      expect(await horizontalOverflow()).toBe(0);
      await shot('console-phone-key.png');
      // Leaving before "I have copied the key" asks; staying keeps the key on screen.
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.dismiss();
      });
      await page
        .getByRole('navigation', { name: 'Organization org1' })
        .getByRole('link', { name: 'Collaborators' })
        .click();
      await expect
        .poll(() => asked)
        .toEqual(['Leave without copying the key? It is shown only once: it cannot be shown again.']);
      expect(await heading().textContent()).toBe('Copy your new API key');
      page.once('dialog', (dialog) => void dialog.accept());
      await page
        .getByRole('navigation', { name: 'Organization org1' })
        .getByRole('link', { name: 'Collaborators' })
        .click();
      await expect.poll(() => heading().textContent()).toBe('Collaborators');
      await shot('console-phone-collaborators.png');

      // Activity: the filters folded, the newest first, a new event appears without Refresh.
      await page.goto(`${origin()}/#/activity`);
      await expect.poll(() => heading().textContent()).toBe('Activity');
      expect(await page.locator('details.filters').getAttribute('open')).toBeNull();
      await s.ok([
        'collaborators',
        'set',
        'org1',
        '--user-id',
        'bob',
        '--right-organization-info',
        '--right-organization-settings-members',
      ]);
      await expect
        .poll(() => page.locator('.event .sentence').first().textContent(), { timeout: 10_000 })
        .toBe("local administrator set bob's rights on org1: info, settings-members");
      expect(await horizontalOverflow()).toBe(0);
      await shot('console-phone-activity.png');
      await page.setViewportSize(DESKTOP);
      await page.reload();
      await expect.poll(() => page.locator('details.filters').getAttribute('open')).toBe('');
      await shot('console-activity.png');
      expect(problems).toEqual([]);
    },
  );

  test('a signed-in user: the owner is them, known IDs suggested, no Purge', { timeout: 60_000 }, async () => {
    const asUser = await startConsole(s, { ORGS_USER_ID: 'user1' });
    // A context of its own: cookies are per host, not per port, and the administrator's session stays.
    const userContext = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light' });
    const userPage = await userContext.newPage();
    try {
      await userPage.goto(asUser.url);
      await expect.poll(() => userPage.locator('.who').textContent()).toBe('Signed in as user1');
      await userPage.goto(`${new URL(asUser.url).origin}/#/organizations/add`);
      await expect.poll(() => userPage.locator('h1').textContent()).toBe('Create organization');
      expect(await userPage.getByLabel('Owner user ID').inputValue()).toBe('user1');
      const known = userPage.locator(
        `datalist#${await userPage.getByLabel('Owner user ID').getAttribute('list')} option`,
      );
      await expect
        .poll(async () => (await known.evaluateAll((options: any[]) => options.map((o) => o.value))).includes('user2'))
        .toBe(true);
      await userPage.goto(`${new URL(asUser.url).origin}/#/applications/add`);
      await expect.poll(() => userPage.locator('h1').textContent()).toBe('Create application');
      expect(await userPage.getByLabel('Owner ID', { exact: true }).inputValue()).toBe('user1');
      await userPage.getByLabel('Owner type', { exact: true }).selectOption('organization');
      const orgs = userPage.locator(
        `datalist#${await userPage.getByLabel('Owner ID', { exact: true }).getAttribute('list')} option`,
      );
      await expect
        .poll(async () => (await orgs.evaluateAll((options: any[]) => options.map((o) => o.value))).includes('org1'))
        .toBe(true);
      await s.ok(['delete', 'old-team']);
      await userPage.goto(`${new URL(asUser.url).origin}/#/organizations?deleted=true`);
      const row = userPage.locator('table.list tbody tr', { hasText: 'old-team' });
      await expect.poll(() => row.getByRole('button', { name: /^Restore/ }).count()).toBe(1);
      expect(await row.getByRole('button', { name: 'Purge' }).count()).toBe(0);
    } finally {
      await userContext.close();
      asUser.child.kill('SIGINT');
      await asUser.exited;
    }
  });

  test('by keyboard alone: skip link, then an organization created with Tab and Enter', async () => {
    await page.goto(`${origin()}/#/organizations`);
    await expect.poll(() => heading().textContent()).toBe('Organizations');
    // A fresh load: the first Tab reaches the skip link.
    await page.reload();
    await expect.poll(() => page.locator('#view').getAttribute('aria-busy')).toBeNull();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');

    await page.goto(`${origin()}/#/organizations/add`);
    await expect.poll(() => heading().textContent()).toBe('Create organization');
    // A page's heading takes the focus; the form's fields follow it in order.
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('H1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keyboard-team');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Typed, not clicked');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('user1');
    await page.keyboard.press('Enter');
    await expect.poll(() => status().textContent()).toBe('Organization keyboard-team created.');
    expect((await cli('get', 'keyboard-team', '--name')).name).toBe('Typed, not clicked');
  });

  test('at 320 px wide nothing scrolls sideways', { timeout: 60_000 }, async () => {
    await s.ok([
      'create',
      'radio-team-of-the-northern-district',
      '--user-id',
      'user1',
      '--name',
      'A name long enough to wrap on a narrow phone',
    ]);
    await page.setViewportSize({ width: 320, height: 720 });
    const pages: Array<[string, string]> = [
      ['#/organizations', 'Organizations'],
      ['#/organizations?deleted=true', 'Deleted organizations'],
      ['#/organizations/org1/collaborators', 'Collaborators'],
      ['#/organizations/org1/api-keys/add', 'Add API key'],
      ['#/applications/app1/rights?user_id=user2', 'Effective rights'],
      ['#/activity', 'Activity'],
      ['#/registry', 'Plan and apply a registry file'],
      ['#/organizations', 'Organizations'],
    ];
    for (const [hash, title] of pages) {
      await page.goto(`${origin()}/${hash}`);
      await expect.poll(() => heading().textContent()).toBe(title);
      await expect.poll(() => page.locator('#view').getAttribute('aria-busy')).toBeNull();
      expect(await alert().textContent()).toBe('');
      expect({ hash, overflow: await horizontalOverflow() }).toEqual({ hash, overflow: 0 });
    }
    expect(await page.locator('table.list tbody tr').count()).toBe(3);
    await page.setViewportSize(DESKTOP);
    expect(problems).toEqual([]);
  });

  test('Export downloads the registry; a file is planned, then applied on a second click', async () => {
    await page.goto(`${origin()}/#/organizations`);
    await expect.poll(() => heading().textContent()).toBe('Organizations');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('registry.yaml');
    expect(readFileSync(await download.path(), 'utf8')).toBe((await s.ok(['export'])).stdout);
    expect(await heading().textContent(), 'a download: the page stays').toBe('Organizations');

    await page.getByRole('link', { name: 'Plan and apply a file' }).click();
    await expect.poll(() => heading().textContent()).toBe('Plan and apply a registry file');
    await checkPage();
    const before = await storeRows(s.db);
    // A file with a fault: said under its text, with its line and column, and selected there.
    const faulty = 'version: 1\norganizations:\n  - organization_id: from-file\n    colour: blue\n';
    await page.getByLabel('Registry file').setInputFiles({
      name: 'team.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(faulty),
    });
    await expect.poll(() => page.getByLabel('Its text').inputValue()).toBe(faulty);
    await page.getByRole('button', { name: 'Plan' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toMatch(/^Line 4, column 5: .*colour/);
    expect(await page.evaluate<number>('document.activeElement.selectionStart')).toBe(faulty.indexOf('colour'));

    // Its plan: the changes in the plan's + ~ - form and who gains what; nothing changes yet.
    await page
      .getByLabel('Its text')
      .fill(
        'version: 1\norganizations:\n  - organization_id: from-file\n    name: From a file\n    members:\n' +
          '      file-owner: [RIGHT_ALL]\n      file-reader: [RIGHT_ORGANIZATION_INFO]\n',
      );
    await page.getByRole('button', { name: 'Plan' }).click();
    const panel = page.locator('.access-changes');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const rows = (table: number) =>
      panel
        .locator('table')
        .nth(table)
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join(' | ')));
    expect(await rows(0)).toEqual([
      '+ | organization from-file | ',
      '+ | member file-owner of from-file | +all',
      '+ | member file-reader of from-file | +organization-info',
    ]);
    expect(await rows(1)).toContain('user file-reader | organization from-file | Organization: info | none');
    expect(await storeRows(s.db)).toEqual(before);
    await shot('console-registry.png');

    // The second click applies it; planned again, it changes nothing.
    await page.getByRole('button', { name: 'Apply 3 changes' }).click();
    await expect.poll(() => status().textContent()).toBe('Applied 3 changes. Its plan is now empty.');
    expect(await panel.isVisible()).toBe(false);
    expect((await cli('collaborators', 'list', 'from-file')).map((c: any) => c.ids.user_ids.user_id)).toEqual([
      'file-owner',
      'file-reader',
    ]);
    await page.getByRole('button', { name: 'Plan' }).click();
    await expect.poll(() => status().textContent()).toBe('Nothing to change: the store holds what this file says.');
    expect(await alert().textContent()).toBe('');

    // A step the rules refuse is said under the text too, at the record it names; nothing changes.
    const applied = await storeRows(s.db);
    await page
      .getByLabel('Its text')
      .fill(
        'version: 1\norganizations:\n  - organization_id: from-file\n    members:\n' +
          '      file-owner: [RIGHT_ORGANIZATION_INFO]\n',
      );
    await page.getByRole('button', { name: 'Plan' }).click();
    await expect
      .poll(() => page.locator('.field-error').textContent())
      .toMatch(/^Line 3, column 5: member file-owner of from-file: organization from-file needs/);
    expect(await panel.isVisible()).toBe(false);
    expect(await storeRows(s.db)).toEqual(applied);
    expect(problems).toEqual([]);
  });

  test('Ctrl-C stops the console with exit code 130', async () => {
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(130);
  });
});
