// The playground's node views in a real browser (Debian's chromium through playwright-core): a Raft node
// shows its term and its applied log as cells, and its timers run down (an arc on the ring, a named bar in
// the detail panel); a Paxos and a failure-detection scenario show their own views, any other algorithm
// the generic one; a failed check
// highlights the message whose delivery broke it, on the ring and in the violation box. The values checked
// are those of the scripted cases in test/playground/views.test.ts (read from `faultline run … --trace`).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';
import { nowOf, seek } from './playground-page.js';

warnIfSkipped('test/browser/playground-views.test.ts');

const { work, faultline } = cliWorkspace('playground-views-browser');


/** Loads a scenario, seed and bug with the header's controls. */
async function load(page: Page, scenario: string, seed: number, bug = ''): Promise<void> {
  await page.selectOption('#scenario-select', scenario);
  await page.fill('#seed-input', String(seed));
  await page.selectOption('#bug-select', bug);
  await page.click('#load');
  await page.waitForSelector(`#nodes g.node[data-node="n1"]`);
}

/** The detail panel's rows for the selected node, as label → text. */
async function detailRows(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#node-detail table.view-rows tr', (rows) => Object.fromEntries(rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent])));
}

async function select(page: Page, node: string): Promise<void> {
  await page.focus(`#nodes g.node[data-node="${node}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#node-detail table.view-rows');
}

describe.skipIf(skipBrowser)('node views in the playground, in headless Chromium', () => {
  const session = browserSession('faultline-playground-views-');

  it('draws Raft, Paxos and failure-detection views, timers running down, and the message behind a violation', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors = pageProblems(page);
    const written = faultline('playground', 'raft-leader-crash', '--seed', '1', '--out', 'page');
    expect(written.status, written.stderr).toBe(0);
    await page.goto(pathToFileURL(join(work, 'page', 'index.html')).href);
    await page.waitForSelector('#nodes g.node');

    // Raft at 2 s: n3 leads term 2, with its last applied entries as cells (index 179…186, all of term 2).
    await seek(page, 2_000_000);
    const n3 = '#nodes g.node[data-node="n3"]';
    expect(await page.locator(`${n3} .view-line`).allTextContents()).toEqual(['leader · t2', 'applied 186 · commit 186']);
    expect(await page.locator(`${n3} .cells text`).allTextContents()).toEqual(Array(8).fill('t2'));
    expect(await page.locator(`${n3} .cells title`).first().textContent()).toMatch(/^index 179, term 2: /);
    // With no node selected, the detail panel is a table of every server.
    expect(await page.locator('#node-detail table.view-table tr[data-node]').count()).toBe(5);
    expect(await page.textContent('#node-detail tr[data-node="n2"]')).toContain('n3');
    // The leader's heartbeat and a follower's election timer are arcs on the ring.
    expect(await page.locator(`${n3} .timers path.timer-arc[data-timer="heartbeat"]`).count()).toBe(1);
    const electionArc = page.locator('#nodes g.node[data-node="n2"] .timers path.timer-arc[data-timer="election"]');
    expect(await electionArc.count()).toBe(1);
    // 1 ms later the leader's heartbeat timer (the same one: set at the same moment) has 1 ms less left, and its arc is shorter.
    const heartbeat = page.locator(`${n3} .timers path.timer-arc[data-timer="heartbeat"]`);
    const arcOf = async () => ({
      set: await heartbeat.getAttribute('data-set'), left: Number(await heartbeat.getAttribute('data-left')),
      fraction: Number(await heartbeat.getAttribute('data-fraction')),
    });
    const before = await arcOf();
    await seek(page, 2_001_000);
    const after = await arcOf();
    expect(after.set).toBe(before.set);
    expect(after.left).toBe(before.left - 1_000);
    expect(after.fraction).toBeLessThan(before.fraction);
    expect(await heartbeat.getAttribute('d')).toMatch(/^M 0\.00 -\d+\.\d+ A /);
    await seek(page, 2_000_000);

    // The selected node's full form: rows in words, the cells with their indices, its timers named with time left.
    await select(page, 'n3');
    expect(await detailRows(page)).toMatchObject({ role: 'leader (established)', term: '2', 'voted for': 'itself', 'commit index': '186', 'applied index': '186' });
    expect(await page.locator('#node-detail .view-cell small').allTextContents()).toEqual(['179', '180', '181', '182', '183', '184', '185', '186']);
    const timerNames = await page.locator('#node-detail .timer-list li[data-timer]').evaluateAll((items) => items.map((i) => i.getAttribute('data-timer')));
    expect(timerNames).toContain('heartbeat');
    expect(await page.textContent('#node-detail .timer-list li[data-timer="heartbeat"]')).toMatch(/heartbeat.*left of/);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-views-raft.png') });
    // A crashed node draws no timers: n4 at 1.5 s (crashed at 1 s) keeps its term and vote, and nothing else.
    await seek(page, 1_500_000);
    expect(await page.locator('#nodes g.node[data-node="n4"] .timers path').count()).toBe(0);
    await select(page, 'n4');
    expect(await detailRows(page)).toMatchObject({ role: 'none (not running)', term: '1', 'voted for': 'itself' });
    expect(await page.textContent('#node-detail .timer-list')).toBe('none pending');

    // Multi-Paxos: paxos-leader-crash seed 1 at 2 s, n1 leads round 2.
    await load(page, 'paxos-leader-crash', 1);
    await seek(page, 2_000_000);
    expect(await page.locator('#nodes g.node[data-node="n1"] .view-line').allTextContents()).toEqual(['leader · r2', 'promised 2.n1 · chosen 182']);
    expect(await page.locator('#nodes g.node[data-node="n1"] .cells text').count()).toBe(8);
    await select(page, 'n1');
    expect(await detailRows(page)).toMatchObject({ role: 'leader with ballot 2.n1', round: '2', 'promised ballot': '2.n1', 'chosen and applied': 'slots up to 182' });
    expect(await page.locator('#node-detail .timer-list li[data-timer="heartbeat"]').count()).toBe(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-views-multi-paxos.png') });

    // Single-decree Paxos: paxos-dueling-proposers seed 1; n1 learns proposal:n3 at 10.977 ms.
    await load(page, 'paxos-dueling-proposers', 1);
    await seek(page, 10_000);
    expect(await page.locator('#nodes g.node[data-node="n1"] .view-line').allTextContents()).toEqual(['promised 1.n3', 'accepted proposal:n3']);
    await seek(page, 10_977);
    expect(await page.locator('#nodes g.node[data-node="n1"] .view-line').allTextContents()).toEqual(['promised 1.n3', 'decided proposal:n3']);
    expect(await page.textContent('#node-detail tr[data-node="n1"]')).toContain('proposal:n1');

    // Failure detection (SWIM): fd-slow-member seed 1 at 27.9 s, n5 suspects the slow n1.
    await load(page, 'fd-slow-member', 1);
    await seek(page, 27_900_000);
    expect(await page.locator('#nodes g.node[data-node="n5"] .view-line').allTextContents()).toEqual(['6 alive · 1 suspect', 'suspects n1']);
    expect(await page.locator('#nodes g.node[data-node="n5"] .cells text').allTextContents()).toContain('n1?');
    await select(page, 'n6');
    expect(await detailRows(page)).toMatchObject({ 'own incarnation': '1 (refuted 1×)', 'local health': '0 (healthy)' });
    expect(await page.locator('#node-detail .timer-list li[data-timer="probe"]').count()).toBe(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-views-fd.png') });

    // An algorithm without a view of its own (gossip broadcast) gets the generic one: the detail table, no error.
    await load(page, 'broadcast-lossy', 1);
    await seek(page, 500_000);
    expect(await page.textContent('#node-detail h2')).toBe('Nodes · role and term');
    expect(await page.locator('#node-detail table.view-table tr[data-node]').count()).toBeGreaterThan(0);

    // Figure 8 with raft/commit-old-term: playing stops at 3.545789 s, and the append-reply n3 → n4 whose
    // delivery made n4 commit index 98 (of term 1) is drawn highlighted with a label and listed in words.
    await load(page, 'raft-figure-8', 1, 'raft/commit-old-term');
    await seek(page, 3_500_000);
    await page.selectOption('#speed', '0.25');
    await page.click('#play');
    await expect.poll(async () => page.textContent('#play'), { timeout: 60_000, interval: 50 }).toBe('Play');
    expect(await nowOf(page)).toBe(3_545_789);
    const highlighted = page.locator('#violation-messages g.violation-msg.delivered');
    expect(await highlighted.count()).toBe(1);
    expect(await highlighted.getAttribute('data-from')).toBe('n3');
    expect(await highlighted.getAttribute('data-to')).toBe('n4');
    expect(await highlighted.getAttribute('data-type')).toBe('append-reply');
    expect(await page.textContent('#violation-messages .violation-label')).toBe('⚠ append-reply n3 → n4');
    const listed = await page.locator('#violation .violation-events li').allTextContents();
    expect(listed[0]).toBe('delivered append-reply n3 → n4 at 3.546s');
    expect(listed).toContain('sent append n4 → n3 at 3.546s');
    expect(await page.locator('#violation-messages g.violation-msg.sent[data-from="n4"][data-to="n3"]').count()).toBe(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-views-violation.png') });

    expect(errors).toEqual([]);
    await page.close();
  });
});
