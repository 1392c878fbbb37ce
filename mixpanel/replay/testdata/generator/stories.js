'use strict';
// Recordings for the story classes of mixpanel/replay (issue 13): a
// privacy-masked session, console output of many shapes with a viewport
// resize and custom events, touch gestures, and word/paragraph selections.
// mixpanel/replay/testdata/README.md tells each story step by step.

// A horizontal touch drag through the DevTools input pipeline: the page has
// no horizontal overflow, so nothing scrolls. Only right-to-left: a drag to
// the right would be the browser's swipe-back gesture.
async function sideSwipe(h, y, x0, x1, steps = 10) {
  h.step(`side-swipe ${x0}->${x1}`);
  const cdp = await h.ctx.newCDPSession(h.page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (x1 - x0) * i / steps, y }] });
    await h.wait(16);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  await h.wait(700);
}

module.exports = [
  {
    name: 'web_masked_session',
    device: 'desktop',
    privacy: 'default',
    async run(h) {
      await h.goto('/login');
      await h.type('#workspace', 'acme-corp');
      await h.type('#email', 'jane.doe@acme.io');
      await h.type('#password', 'correct-horse');
      await h.check('#remember');
      await h.click('#signin');
      await h.expectUrl(/\/boards\?id=123$/);
      await h.click('#new-card');
      await h.click('#filter');
      await h.click('#share');
      await h.click('nav a[href="/checkout"]');
      await h.expectUrl(/\/checkout$/);
      await h.type('#fullname', 'Jane Doe');
      await h.select('#country', 'DE');
      await h.check('#period-yearly');
      await h.check('#terms');
      await h.click('#place-order');
      await h.pause(1000);
    },
  },
  {
    name: 'web_console_viewport',
    device: 'desktop',
    privacy: 'unmasked',
    async run(h) {
      await h.goto('/diagnostics');
      for (const id of ['err-string', 'err-object', 'err-instance', 'err-quotes', 'err-multi', 'err-long',
        'err-assert', 'err-throw', 'err-reject', 'log-info', 'log-warn']) {
        await h.click('#' + id, { after: 300 });
      }
      await h.page.evaluate(() => window.__rec.addCustomEvent('checkpoint', { step: 'diagnostics-done', ok: true }));
      await h.pause(300);
      h.step('resize 800x600');
      await h.page.setViewportSize({ width: 800, height: 600 });
      await h.pause(800);
      await h.click('#log-warn');
      h.step('resize 1280x800');
      await h.page.setViewportSize({ width: 1280, height: 800 });
      await h.pause(800);
      await h.page.evaluate(() => window.__rec.addCustomEvent('checkout-start', { plan: 'pro' }));
      await h.pause(500);
    },
  },
  {
    name: 'mobile_touch_gestures',
    device: 'mobile',
    privacy: 'unmasked',
    async run(h) {
      await h.goto('/shop');
      await h.tap('li[data-id="2"] button.add');
      await sideSwipe(h, 400, 320, 60);
      await h.swipe(200, 650, 250);
      await sideSwipe(h, 300, 340, 120);
      await h.tap('li[data-id="6"] a.product-link');
      await h.pause(1500);
      await h.tap('#sheet-close');
      await h.swipe(200, 250, 650);
      await h.tap('#checkout-btn');
      await h.expectUrl(/\/checkout$/);
      await h.pause(800);
    },
  },
  {
    name: 'web_text_selections',
    device: 'desktop',
    privacy: 'unmasked',
    async run(h) {
      await h.goto('/boards?id=123');
      await h.dblclick('#board-title');
      await h.pause(800);
      await h.tripleClick('#board-desc');
      await h.pause(800);
      await h.click('#new-card');
      await h.click('nav a[href="/docs"]');
      await h.expectUrl(/\/docs$/);
      await h.dblclick('#billing p.lead');
      await h.pause(800);
      await h.tripleClick('#billing p.lead');
      await h.pause(800);
    },
  },
];
