// The public statistics page (/stats.html, issue 6): its tables show exactly
// what the stats API returns (and the category table sums to the total,
// which equals the items API's count), filters change the figures and live
// in the URL, the map layers switch, staff see unit figures, keyboard alone
// reaches the filters and tables, and axe finds no WCAG 2.1 AA violations.
import assert from 'node:assert/strict';
import {
  after, axeViolations, before, formatViolations, gotoReady, newPage, startBoth, stopBoth, tabTo,
  test
} from './helpers.mjs';

const STAFF = { name: 'stats-moderator', role: 'moderator', password: 'stats page password 1' };
const OPEN = 'received,in_progress,planned';

let server;
let base;
let browser;

before(async () => {
  ({ server, browser } = await startBoth({ users: [STAFF] }));
  base = server.url;
});

after(() => stopBoth(server, browser));

async function api(pathname) {
  const r = await fetch(base + pathname);
  assert.equal(r.status, 200, `${pathname}: HTTP ${r.status}`);
  return r.json();
}

/** Items counted independently through the items API (public items only). */
async function itemCount(query = '') {
  const fc = await api(`/api/v1/feedback?limit=10000${query ? '&' + query : ''}`);
  return fc.features.length;
}

async function openStats({ lang = 'fi', query = '', viewport, login = false } = {}) {
  const page = await newPage(browser, { viewport });
  if (login) {
    const r = await page.context().request.post(`${base}/api/v1/auth/login`, { data: { name: STAFF.name, password: STAFF.password } });
    assert.equal(r.status(), 200, 'staff sign-in');
  }
  await gotoReady(page, `${base}/stats.html?lang=${lang}${query ? '&' + query : ''}`);
  return page;
}

function ready(page) {
  return page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}

/** A data table as {rows: {key: {col: value}}, order: [key], foot: {col: value}}. */
async function tableData(page, id) {
  return page.evaluate((tableId) => {
    const num = (td) => {
      const v = td.getAttribute('data-value');
      return v === '' || v === null ? null : Number(v);
    };
    const read = (tr) => {
      const o = {};
      tr.querySelectorAll('td[data-col]').forEach((td) => { o[td.getAttribute('data-col')] = num(td); });
      return o;
    };
    const t = document.getElementById(tableId);
    const rows = {};
    const order = [];
    t.querySelectorAll('tbody tr[data-key]').forEach((tr) => {
      rows[tr.getAttribute('data-key')] = read(tr);
      order.push(tr.getAttribute('data-key'));
    });
    const f = t.querySelector('tfoot tr');
    return { rows, order, foot: f ? read(f) : null, caption: t.caption && t.caption.textContent };
  }, id);
}

async function assertNoViolations(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

function sum(obj, col) {
  return Object.values(obj).reduce((s, r) => s + r[col], 0);
}

test('the page loads with the demo data; the category table is the API and sums to the total', async () => {
  const page = await openStats();
  try {
    const stats = await api('/api/v1/stats/feedback?group_by=category');
    const items = await itemCount();
    assert.ok(items > 0, 'the demo data is loaded');
    assert.equal(stats.total, items, 'the API total equals the items API count');
    const t = await tableData(page, 'category-table');
    assert.equal(Object.keys(t.rows).length, stats.groups.length);
    for (const g of stats.groups) assert.equal(t.rows[g.category].count, g.count, `category ${g.category}`);
    assert.equal(sum(t.rows, 'count'), stats.total, 'the rows sum to the total');
    assert.equal(t.foot.count, stats.total);
    assert.match(await page.textContent('#summary'), new RegExp(`\\b${stats.total}\\b`));
    // The chart beside it is an image with a name and a description.
    assert.equal(await page.locator('#category-chart svg[role="img"] title').count(), 1);
    assert.equal(await page.locator('#category-chart svg rect').count(), stats.groups.length);
    assert.equal(await page.getAttribute('#category-table th[scope="col"] >> nth=0', 'scope'), 'col');
    assert.ok(await page.locator('#category-table tbody th[scope="row"]').count() > 0);

    // Switching the language redraws the tables in it, with the same figures.
    await page.click('.lang-button[data-lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    assert.equal(await page.textContent('#category-table caption'), 'Respons per ämne');
    assert.equal((await tableData(page, 'category-table')).foot.count, stats.total);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the time table is the API by month, and by week after switching', async () => {
  const page = await openStats({ lang: 'en' });
  try {
    const month = await api('/api/v1/stats/feedback?group_by=month');
    let t = await tableData(page, 'time-table');
    for (const g of month.groups) assert.equal(t.rows[g.month].count, g.count, `month ${g.month}`);
    // Months between get a zero row, never a made-up figure.
    for (const k of t.order) if (!month.groups.some((g) => g.month === k)) assert.equal(t.rows[k].count, 0);
    assert.equal(sum(t.rows, 'count'), month.total);

    await page.check('#bucket-week');
    await ready(page);
    assert.match(page.url(), /bucket=week/);
    const week = await api('/api/v1/stats/feedback?group_by=week');
    t = await tableData(page, 'time-table');
    for (const g of week.groups) assert.equal(t.rows[g.week].count, g.count, `week ${g.week}`);
    assert.equal(sum(t.rows, 'count'), week.total);
    assert.equal(t.foot.count, week.total);
  } finally {
    await page.closeAll();
  }
});

test('the map table is the choropleth; areas switch; the density layer draws the hexagons', async () => {
  const page = await openStats({ lang: 'sv' });
  try {
    const ch = await api('/api/v1/stats/choropleth?areas=districts');
    const total = (await api('/api/v1/stats/feedback')).total;
    let t = await tableData(page, 'area-table');
    for (const f of ch.features) {
      const p = f.properties;
      assert.equal(t.rows[p.code].count, p.count, `district ${p.code}`);
      assert.equal(t.rows[p.code].open, p.open);
      assert.equal(t.rows[p.code].answered_within_14_days, p.answered_within_14_days);
    }
    assert.equal(t.rows.outside.count, ch.outside);
    assert.equal(sum(t.rows, 'count'), total, 'districts plus outside make the total');
    assert.ok(await page.locator('#legend-areas li').count() >= 2, 'a legend with classes');

    await page.check('#areas-access');
    await ready(page);
    assert.match(page.url(), /areas=accessibility-areas/);
    const acc = await api('/api/v1/stats/choropleth?areas=accessibility-areas');
    t = await tableData(page, 'area-table');
    for (const f of acc.features) assert.equal(t.rows[f.properties.code].count, f.properties.count);

    await page.check('#density-on');
    await ready(page);
    // The public grid hides cells of fewer than 5 reports (k = 5, the
    // server's floor); the demo data fills some only at 2 km.
    await page.selectOption('#density-cell', '2000');
    await ready(page);
    assert.match(page.url(), /density=1/);
    assert.match(page.url(), /cell=2000/);
    const dens = await api('/api/v1/stats/density?cell=2000');
    assert.equal(dens.k, 5, 'the public floor applies');
    assert.ok(dens.features.length > 0);
    assert.ok(dens.features.every((f) => f.properties.count >= 5), 'no cell singles out a report');
    assert.equal(await page.locator('.leaflet-density-pane path').count(), dens.features.length);
    assert.equal(await page.isVisible('#legend-density'), true);
    await assertNoViolations(page, 'density layer and accessibility areas, sv');

    // The download links carry the same view, for QGIS.
    assert.equal(await page.getAttribute('#dl-density', 'href'), '/api/v1/stats/density?cell=2000');
    assert.equal(await page.getAttribute('#dl-ogc', 'href'), '/ogcapi/collections/feedback-by-accessibility-area');
    const ogc = await fetch(base + '/ogcapi/collections/feedback-by-accessibility-area');
    assert.equal(ogc.status, 200);

    await page.uncheck('#density-on');
    await ready(page);
    assert.equal(await page.locator('.leaflet-density-pane path').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the response-time tables are the API', async () => {
  const page = await openStats();
  try {
    const cols = ['count', 'open', 'answered', 'median_days_to_answer', 'p90_days_to_answer',
      'median_days_to_close', 'p90_days_to_close', 'answered_within_14_days'];
    for (const [by, id] of [['category', 'resp-category-table'], ['district', 'resp-district-table']]) {
      const rt = await api(`/api/v1/stats/response-times?by=${by}`);
      const t = await tableData(page, id);
      assert.equal(Object.keys(t.rows).length, rt.groups.length, `${by} rows`);
      for (const g of rt.groups) {
        const row = t.rows[g[by] === null ? 'none' : g[by]];
        for (const c of cols) assert.equal(row[c], g[c], `${by} ${g[by]} ${c}`);
      }
      for (const c of cols) assert.equal(t.foot[c], rt.overall[c], `${by} overall ${c}`);
    }
    const rt = await api('/api/v1/stats/response-times?by=category');
    const w = await tableData(page, 'waiting-table');
    for (const a of rt.waiting) assert.equal(w.rows[a.age].count, a.count, `waiting ${a.age}`);
  } finally {
    await page.closeAll();
  }
});

test('filters change the figures, live in the URL and come back from it', async () => {
  const page = await openStats({ lang: 'en' });
  try {
    const all = (await api('/api/v1/stats/feedback')).total;
    await page.selectOption('#f-category', 'lighting');
    await page.selectOption('#f-status', OPEN);
    await page.click('#f-apply');
    await ready(page);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('category'), 'lighting');
    assert.equal(url.searchParams.get('status'), OPEN);
    const q = `category=lighting&status=${OPEN}`;
    const stats = await api(`/api/v1/stats/feedback?group_by=category&${q}`);
    assert.equal(stats.total, await itemCount(q), 'the API agrees with the items API');
    assert.ok(stats.total < all, 'the filter narrows the figures');
    const t = await tableData(page, 'category-table');
    assert.equal(t.foot.count, stats.total);
    assert.deepEqual(Object.keys(t.rows).sort(), stats.groups.map((g) => g.category).sort());
    const areas = await tableData(page, 'area-table');
    assert.equal(sum(areas.rows, 'count'), stats.total, 'the map table is filtered too');
    const dl = await page.getAttribute('#dl-areas', 'href');
    const dlAreas = await api(dl);
    assert.equal(dlAreas.features.reduce((n, f) => n + f.properties.count, 0) + dlAreas.outside, stats.total,
      'the download link has the filters');

    // The shared link shows the same view.
    const again = await openStats({ lang: 'en', query: url.search.slice(1) });
    try {
      assert.equal(await again.inputValue('#f-category'), 'lighting');
      assert.equal(await again.inputValue('#f-status'), OPEN);
      assert.equal((await tableData(again, 'category-table')).foot.count, stats.total);
    } finally {
      await again.closeAll();
    }

    // A date range.
    await page.fill('#f-start', '2026-06-01');
    await page.click('#f-apply');
    await ready(page);
    const dated = await api(`/api/v1/stats/feedback?start=2026-06-01&${q}`);
    assert.equal((await tableData(page, 'category-table')).foot.count, dated.total);
    assert.match(page.url(), /start=2026-06-01/);
    // The summary says the filters in force, the date in the page's language.
    assert.match(await page.textContent('#summary'), /from 01\/06\/2026; Lighting; Open/);

    // Back through the history restores the previous figures.
    await page.goBack();
    await page.waitForFunction((n) => {
      const f = document.querySelector('#category-table tfoot td[data-col="count"]');
      return document.body.getAttribute('data-ready') === 'true' && f && f.getAttribute('data-value') === String(n);
    }, stats.total);
    assert.equal(await page.inputValue('#f-start'), '');

    // Clearing the filters brings back everything.
    await page.click('#f-clear');
    await ready(page);
    assert.equal((await tableData(page, 'category-table')).foot.count, all);
    assert.equal(new URL(page.url()).searchParams.get('category'), null);
  } finally {
    await page.closeAll();
  }
});

test('an end date before the start date is shown at the field, and nothing is fetched', async () => {
  const page = await openStats({ lang: 'fi' });
  try {
    const before = page.url();
    await page.fill('#f-start', '2026-06-01');
    await page.fill('#f-end', '2026-05-01');
    await page.click('#f-apply');
    await page.waitForSelector('#f-end-error:not([hidden])');
    assert.equal(await page.getAttribute('#f-end', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-end');
    assert.equal(page.url(), before);
    await assertNoViolations(page, 'date range error');
  } finally {
    await page.closeAll();
  }
});

test('a filter the API refuses (from a hand-edited link) is shown at its field', async () => {
  const page = await openStats({ lang: 'sv', query: 'start=not-a-date' });
  try {
    await page.waitForSelector('#f-start-error:not([hidden])');
    assert.equal(await page.getAttribute('#f-start', 'aria-invalid'), 'true');
    assert.equal(await page.isVisible('#filter-error'), true);
    assert.equal(await page.isVisible('#category-error'), true);
    assert.equal(await page.isVisible('#category-table'), false, 'no figures rather than stale ones');
    await assertNoViolations(page, 'refused filter, sv');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('keyboard alone reaches the filters and the tables and applies a filter', async () => {
  const page = await openStats({ lang: 'fi' });
  try {
    const all = (await api('/api/v1/stats/feedback')).total;
    await page.keyboard.press('Tab');
    for (const id of ['f-start', 'f-end', 'f-category', 'f-status', 'f-district', 'f-apply']) {
      await tabTo(page, `#${id}`);
    }
    await tabTo(page, '#f-category', { shift: true });
    await page.keyboard.press('ArrowDown');
    const chosen = await page.inputValue('#f-category');
    assert.notEqual(chosen, '', 'the arrow key chose a category');
    await tabTo(page, '#f-apply');
    await page.keyboard.press('Enter');
    await ready(page);
    const stats = await api(`/api/v1/stats/feedback?category=${chosen}`);
    assert.ok(stats.total < all);
    assert.equal((await tableData(page, 'category-table')).foot.count, stats.total);
    for (const caption of ['area-table-caption', 'time-table-caption', 'category-table-caption',
      'resp-category-caption', 'resp-district-caption', 'waiting-caption']) {
      await tabTo(page, `.table-wrap[aria-labelledby="${caption}"]`);
    }
  } finally {
    await page.closeAll();
  }
});

for (const lang of ['fi', 'sv', 'en']) {
  test(`the page has no WCAG 2.1 AA violations (${lang})`, async () => {
    const page = await openStats({ lang });
    try {
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertNoViolations(page, `stats, ${lang}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  });
}

test('320 px wide: no sideways scrolling and no violations', async () => {
  const page = await openStats({ lang: 'fi', viewport: { width: 320, height: 640 }, query: 'density=1&bucket=week' });
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways at 320 px by ${overflow} px`);
    await assertNoViolations(page, '320 px');
  } finally {
    await page.closeAll();
  }
});

test('each figure has its one plain sentence (plain Finnish too); every table fits 360 px', async () => {
  const notes = ['note-map', 'note-density', 'note-time', 'note-category', 'note-respcategory', 'note-respdistrict', 'note-waiting'];
  const page = await openStats({ lang: 'en', viewport: { width: 360, height: 740 }, query: 'density=1' });
  try {
    const texts = await page.evaluate((ids) => ids.map((id) => {
      const n = document.getElementById(id);
      return n && !n.hidden && n.getBoundingClientRect().height > 0 ? n.textContent.trim() : '';
    }), notes);
    texts.forEach((x, i) => {
      assert.ok(x.length > 20, `${notes[i]} is shown`);
      assert.equal(x.split(/[.!?](\s|$)/).filter((p) => p && p.trim()).length, 1, `${notes[i]}: one sentence: ${x}`);
    });
    // Each table region says which sentence explains it.
    for (const [cap, note] of [['resp-category-caption', 'note-respcategory'], ['waiting-caption', 'note-waiting']]) {
      assert.equal(await page.getAttribute(`[aria-labelledby="${cap}"]`, 'aria-describedby'), note);
    }
    // Every table within its box: no region scrolls sideways at 360 px.
    const wide = await page.evaluate(() => [...document.querySelectorAll('.table-wrap')]
      .filter((w) => w.offsetParent && w.scrollWidth > w.clientWidth + 1).map((w) => w.querySelector('table').id));
    assert.deepEqual(wide, []);
    await assertNoViolations(page, 'figure notes, 360 px');
    // Plain Finnish (selkokieli), switched in the header.
    await page.click('.lang-button[data-lang="fi"]');
    await page.click('.plain-button');
    await page.waitForFunction(() => /Tumma alue/.test(document.getElementById('note-map').textContent));
    assert.match(await page.textContent('#note-time'), /^Jokainen pylväs on yksi kuukausi/);
    await assertNoViolations(page, 'plain Finnish');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.evaluate(() => localStorage.removeItem('vaikuta.plain'));
    await page.closeAll();
  }
});

test('staff see the unit figures; the public does not', async () => {
  const anon = await openStats();
  try {
    assert.equal(await anon.isVisible('#staff-section'), false);
    const r = await fetch(`${base}/api/v1/stats/feedback?group_by=unit`);
    assert.equal(r.status, 401, 'unit figures are for staff only');
  } finally {
    await anon.closeAll();
  }
  const page = await openStats({ lang: 'en', login: true });
  try {
    assert.equal(await page.isVisible('#staff-section'), true);
    const [units, rt] = await page.evaluate(() => Promise.all([
      fetch('/api/v1/stats/feedback?group_by=unit').then((r) => r.json()),
      fetch('/api/v1/stats/response-times?by=unit').then((r) => r.json()),
    ]));
    const t = await tableData(page, 'unit-table');
    for (const g of units.groups) assert.equal(t.rows[g.unit === null ? 'none' : g.unit].count, g.count, `unit ${g.unit}`);
    assert.equal(sum(t.rows, 'count'), units.total);
    // Units by their names from /api/v1/units, in the page's language.
    const names = await api('/api/v1/units');
    const first = units.groups.find((g) => g.unit !== null);
    const name = names.units.find((u) => u.code === first.unit).name.en;
    assert.equal((await page.textContent(`#unit-table tr[data-key="${first.unit}"] th`)).trim(), name);
    const r = await tableData(page, 'resp-unit-table');
    for (const g of rt.groups) {
      const row = r.rows[g.unit === null ? 'none' : g.unit];
      assert.equal(row.count, g.count);
      assert.equal(row.median_days_to_answer, g.median_days_to_answer);
    }
    // The staff's tables have their sentence too.
    for (const id of ['note-unit', 'note-respunit']) assert.ok((await page.textContent(`#${id}`)).trim().length > 20, id);
    await assertNoViolations(page, 'staff view, en');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
