// The walk page offline (issue 14, docs/walks.md "Field mode"): opened
// once, it opens again with no network from its service worker; findings
// and photos recorded offline wait in IndexedDB, survive a reload, and are
// sent when the network returns — each exactly once, also when the phone
// sends them all again because it never heard the answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, gotoReady, newPage, startBoth, stopBoth, test, uniqueText } from './helpers.mjs';
import { checkState } from './survey-helpers.mjs';
import { PHOTO, STAFF, findingsOf, phone, photoRows, recordFinding, waitForWaiting, walkCode } from './walk-field-helpers.mjs';

let server;
let browser;
const WALK = 1; // the demo walk in Vuoksenniska (seeds/walks/demo-vuoksenniska.json)

before(async () => {
  ({ server, browser } = await startBoth({ users: [STAFF], demoResponses: 5 }));
});
after(() => stopBoth(server, browser));

test('three findings with photos recorded offline reach the server exactly once', async () => {
  const code = await walkCode(server, WALK);
  const prefix = uniqueText('offline');
  const page = await newPage(browser, phone);
  const context = page.context();
  try {
    // Joined through the address with the code; the service worker keeps
    // the page and the walk.
    await gotoReady(page, `${server.url}/w/${code.toLowerCase()}`);
    await page.waitForSelector('#walk-view:not([hidden])');
    assert.equal(new URL(page.url()).pathname, `/w/${WALK}`);
    await page.waitForSelector('body[data-offline="ready"]');
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    const photosBefore = photoRows(server);

    await context.setOffline(true);
    await page.waitForSelector('#w-offline:not([hidden])');
    const places = ['61.22095, 28.81010', '61.22140, 28.81350', '61.22220, 28.81620'];
    for (let i = 0; i < 3; i++) {
      await recordFinding(page, { description: `${prefix} #${i + 1}`, coords: places[i], photos: [PHOTO] });
      await waitForWaiting(page, i + 1);
    }
    assert.match(await page.textContent('#w-queue-count'), /3 havaintoa odottaa/);
    assert.equal(await page.locator('#w-queue-list li').count(), 3);

    // A reload with no network: the page comes from the service worker and
    // the three are still waiting, none of them on the server yet.
    const resp = await page.reload();
    assert.equal(resp.fromServiceWorker(), true);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#walk-view:not([hidden])');
    assert.equal(await page.textContent('#w-title'), 'Vuoksenniskan esteettömyyskävely');
    await waitForWaiting(page, 3);
    assert.equal(await page.locator('#w-queue-list li').count(), 3);
    assert.equal((await findingsOf(server, WALK, prefix)).length, 0);
    assert.equal(photoRows(server), photosBefore);

    // The network returns: everything is sent by itself.
    await context.setOffline(false);
    await waitForWaiting(page, 0, 0, 3);
    let found = await findingsOf(server, WALK, prefix);
    assert.equal(found.length, 3);
    assert.deepEqual(found.map((f) => f.properties.description).sort(), [1, 2, 3].map((i) => `${prefix} #${i}`));
    for (const f of found) {
      assert.equal(f.properties.photos.length, 1, `finding ${f.id} has one photo`);
      assert.equal(f.properties.type, 'kerb');
      assert.equal(f.properties.grade, 'este');
      const thumb = await fetch(server.url + f.properties.photos[0].thumb);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    }
    assert.equal(photoRows(server), photosBefore + 3);
    assert.equal(photoRows(server, 'owner_id IS NULL'), 0, 'no photo left unattached');
    const ids = found.map((f) => f.id).sort();

    // The phone never heard the answers: everything is waiting again, one
    // photo even without its server id (so it is uploaded again, the same
    // bytes under the same Idempotency-Key), and the page is reloaded.
    const bytes = [...readFileSync(PHOTO)];
    await page.evaluate(async (jpeg) => {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open('vaikuta-walk');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const t = db.transaction(['findings', 'photos', 'blobs'], 'readwrite');
      const all = (store) => new Promise((resolve) => { const r = t.objectStore(store).getAll(); r.onsuccess = () => resolve(r.result); });
      const fs = await all('findings');
      const ps = await all('photos');
      fs.forEach((f) => { f.state = 'waiting'; f.sent = null; t.objectStore('findings').put(f); });
      ps.forEach((p, i) => {
        p.state = i === 0 ? 'waiting' : 'uploaded';
        if (i === 0) {
          p.serverId = null;
          t.objectStore('blobs').put(new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), p.id);
        }
        t.objectStore('photos').put(p);
      });
      await new Promise((resolve) => { t.oncomplete = resolve; });
      db.close();
    }, bytes);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await waitForWaiting(page, 0, 0, 3);
    found = await findingsOf(server, WALK, prefix);
    assert.deepEqual(found.map((f) => f.id).sort(), ids, 'still the same three findings');
    for (const f of found) assert.equal(f.properties.photos.length, 1);
    assert.equal(photoRows(server), photosBefore + 3, 'still three photos');
    assert.equal(photoRows(server, 'owner_id IS NULL'), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a finding refused for an old code is kept, said, and sent with the new code', async () => {
  const oldCode = await walkCode(server, WALK);
  const prefix = uniqueText('recode');
  const page = await newPage(browser, phone);
  const context = page.context();
  try {
    await gotoReady(page, `${server.url}/w/${oldCode}`);
    await page.waitForSelector('#walk-view:not([hidden])');
    await page.waitForSelector('body[data-offline="ready"]');
    await context.setOffline(true);
    await recordFinding(page, { description: `${prefix} #1`, coords: '61.22095, 28.81010', photos: [PHOTO] });
    await waitForWaiting(page, 1);

    // Meanwhile the organiser made a new code: the old one is refused.
    const newCode = await walkCode(server, WALK);
    await context.setOffline(false);
    await waitForWaiting(page, 0, 1);
    assert.match(await page.textContent('#w-queue-list'), /Koodi ei kelpaa/);
    assert.equal((await findingsOf(server, WALK, prefix)).length, 0);
    await checkState(page, 'a refused finding');

    // Kept over a reload, then the new code sends it, photo and all.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await waitForWaiting(page, 0, 1);
    await page.click('#w-queue-list button:has-text("Kirjoita uusi koodi")');
    await page.waitForSelector('#join-view:not([hidden])');
    assert.match(await page.textContent('#join-for'), /Vuoksenniskan/);
    await page.fill('#join-code', newCode);
    await page.click('#join-submit');
    await page.waitForSelector('#walk-view:not([hidden])');
    await waitForWaiting(page, 0, 0, 1);
    const found = await findingsOf(server, WALK, prefix);
    assert.equal(found.length, 1);
    assert.equal(found[0].properties.photos.length, 1);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
