'use strict';
// An extra recording for mixpanel/replay: interactions the four public
// recordings do not have (right-click, a real double-click and triple-click,
// keyboard focus, a textarea, a re-snapshot of the same page, a custom event).

module.exports = [
  {
    name: 'web_extra_interactions',
    device: 'desktop',
    privacy: 'unmasked',
    async run(h) {
      await h.goto('/boards?id=123');
      await h.rightClick('li[data-card="2"] a');
      await h.press('Escape');
      await h.dblclick('#board-title');
      await h.tripleClick('#board-desc');
      // The recorder re-snapshots the page it is on (a checkout): no navigation.
      await h.page.evaluate(() => window.__rec.takeFullSnapshot());
      await h.pause(500);
      await h.page.evaluate(() => window.__rec.addCustomEvent('app-step', { step: 1 }));
      await h.click('#new-card');
      // Keyboard focus: Tab from New card to the filter button, no click.
      await h.press('Tab');
      await h.pause(500);
      await h.click('nav a[href="/boards/456/settings"]');
      await h.expectUrl(/\/settings$/);
      await h.page.fill('#description', '');
      await h.type('#description', 'Q2 launch plan');
      await h.click('#save');
      await h.pause(800);
    },
  },
];
