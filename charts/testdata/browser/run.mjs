// Loads the charts view in headless Chromium through host.html (which
// plays the MCP Apps host), one page per theme variant holding one view
// per case, and prints what it found as JSON on stdout.
// Usage: node run.mjs BASE_URL SPEC_JSON OUT_DIR
// SPEC_JSON: {variants: [{theme, os, switchTo, cases: [{index, name, selectors: [css...]}]}]}
// switchTo: after the checks, the host switches every view to that theme.
// The Go test (charts/browser_test.go) serves BASE_URL and checks the
// answer. Playwright's launch gives Chromium a new empty profile.
import {chromium} from "playwright-core";
import {readFileSync} from "node:fs";
import {join} from "node:path";

const [base, specFile, outDir] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const out = [];
try {
  for (const v of spec.variants) {
    const ctx = await browser.newContext({colorScheme: v.os, viewport: {width: 760, height: 800}});
    const page = await ctx.newPage();
    const errors = [], requests = [];
    page.on("console", m => { if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}: ${m.text()}`); });
    page.on("pageerror", e => errors.push("uncaught: " + e.message));
    page.on("request", r => requests.push({url: r.url(), app: r.frame() !== page.mainFrame()}));
    const variant = {theme: v.theme, os: v.os, cases: []};
    try {
      await page.goto(`${base}/host.html?cases=${v.cases.map(c => c.index).join(",")}${v.theme ? "&theme=" + v.theme : ""}`);
      for (const c of v.cases) {
        const r = {name: c.name};
        const iframe = page.locator(`iframe[data-case="${c.index}"]`);
        try {
          const frame = await (await iframe.elementHandle()).contentFrame();
          await frame.waitForSelector("body[data-rendered]", {timeout: 60000});
          // Chromium updates the rendering (and so runs ResizeObserver) of
          // a cross-origin frame only on screen: show it, as a chat would.
          await iframe.scrollIntoViewIfNeeded();
          await page.waitForFunction(i => window.hostLogs[i].some(m => m.method === "ui/notifications/size-changed"), c.index, {timeout: 60000});
          await frame.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
          await iframe.screenshot({path: join(outDir, `${c.name}-${v.theme || "os-" + v.os}.png`)});
          Object.assign(r, await frame.evaluate(sel => {
            const svgs = [...document.querySelectorAll("svg")];
            return {
              kind: document.getElementById("chart").dataset.kind,
              title: document.getElementById("title").textContent,
              counts: Object.fromEntries(sel.map(s => [s, document.querySelectorAll(s).length])),
              background: getComputedStyle(document.body).backgroundColor,
              unnamedCharts: svgs.filter(s => s.getAttribute("role") !== "img" ||
                !(s.getAttribute("aria-labelledby") || "").split(" ").every(id => (document.getElementById(id) || {}).textContent)).length,
              charts: svgs.length,
              tableRows: document.querySelectorAll("#table tbody tr").length,
            };
          }, c.selectors));
        } catch (e) {
          r.failure = String(e && e.message || e);
        }
        variant.cases.push(r);
      }
      if (v.switchTo) {
        await page.evaluate(t => window.setTheme(t), v.switchTo);
        for (const [i, c] of v.cases.entries()) {
          const frame = await (await page.locator(`iframe[data-case="${c.index}"]`).elementHandle()).contentFrame();
          variant.cases[i].switchedBackground = await frame.evaluate(t => new Promise(r => {
            const poll = () => document.documentElement.dataset.theme === t ? r(getComputedStyle(document.body).backgroundColor) : setTimeout(poll, 20);
            poll();
          }), v.switchTo);
        }
      }
      const logs = await page.evaluate(() => window.hostLogs);
      for (const [i, c] of v.cases.entries()) {
        const r = variant.cases[i], iframe = page.locator(`iframe[data-case="${c.index}"]`);
        r.hostLog = logs[c.index];
        r.frameHeight = (await iframe.boundingBox() || {height: 0}).height;
      }
    } catch (e) {
      variant.failure = String(e && e.message || e);
    }
    variant.errors = errors;
    variant.requests = requests;
    out.push(variant);
    await ctx.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
