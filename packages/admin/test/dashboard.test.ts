/**
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core, loads it from
 * the admin server, shows a client the test connected and a message the test published (topic
 * tree and "try it" panel), and renders a screenshot that is not blank.
 *
 * Set TERNMQ_DASHBOARD_SCREENSHOT=<path> to keep the screenshot (docs/dashboard.png).
 */
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardFiles } from "../src/dashboard-assets.js";
import { TestBed } from "./helpers.js";
import { decodePng, distinctColors } from "./png.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const VIEWPORT = { width: 1280, height: 1000 };
/** Bound of starting Chromium and of the whole browser scenario (a loaded CI machine). */
const BROWSER_TIMEOUT_MS = 60_000;
/** Bound of each wait for the page (its polls run every 1-2 s). */
const WAIT_MS = 15_000;

const bed = new TestBed();
let browser: BrowserContext | undefined;
let profile: string | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the dashboard test needs it (Debian: apt-get install chromium)`,
    );
  }
  profile = await mkdtemp(join(tmpdir(), "ternmq-dashboard-profile-"));
  // The bundle is made in memory from source (no build before tests): meanwhile, not in the test.
  const [context] = await Promise.all([
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: VIEWPORT,
    }),
    dashboardFiles(),
  ]);
  browser = context;
}, BROWSER_TIMEOUT_MS);

afterAll(async () => {
  await bed.cleanup();
  await browser?.close();
  if (profile !== undefined) await rm(profile, { recursive: true, force: true });
});

describe("dashboard in Chromium", () => {
  it(
    "shows a connected client, a published message in the topic tree and the try-it panel's messages",
    async () => {
      if (browser === undefined) throw new Error("no browser");
      const { admin, mqttPort } = await bed.start();
      const sensor = await bed.client(mqttPort, { clientId: "kitchen-sensor", keepalive: 30 });
      await sensor.subscribeAsync("home/#", { qos: 1 });
      await sensor.publishAsync("home/garden/light", "on", { qos: 1, retain: true });

      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(admin.url);

      // The client list shows the client the test connected.
      const row = page.locator('tr[data-client-id="kitchen-sensor"]');
      await row.waitFor({ timeout: WAIT_MS });
      expect(await row.textContent()).toContain("127.0.0.1");

      // A message published now appears in the topic tree with its payload.
      await sensor.publishAsync("home/kitchen/temperature", "21.5", { qos: 1 });
      const topic = page.locator('button[data-topic="home/kitchen/temperature"]');
      await topic.waitFor({ timeout: WAIT_MS });
      expect(await topic.textContent()).toContain("21.5");
      await topic.click();
      await expect
        .poll(() => page.locator('[data-testid="topic-detail"] pre').textContent(), {
          timeout: WAIT_MS,
        })
        .toBe("21.5");

      // "Try it": the page's own MQTT client over the WebSocket listener sees live messages.
      await page.locator('[data-testid="try-connect"]').click();
      await page
        .locator('[data-testid="try-status"]', { hasText: "subscribed" })
        .waitFor({ timeout: WAIT_MS });
      await sensor.publishAsync("home/hall/door", "open", { qos: 1 });
      await page
        .locator('[data-testid="try-messages"] li', { hasText: "home/hall/door" })
        .waitFor({ timeout: WAIT_MS });

      // The overview's charts have drawn (uPlot canvases) and the counters are live.
      await expect
        .poll(() => page.locator(".uplot canvas").count(), { timeout: WAIT_MS })
        .toBeGreaterThanOrEqual(3);
      await expect
        .poll(
          async () =>
            Number(
              (await page.locator('[data-testid="clients-connected"] .tile-value').textContent()) ??
                0,
            ),
          { timeout: WAIT_MS },
        )
        .toBe(2); // the sensor and the page's own client
      expect(pageErrors).toEqual([]);

      const directory = await mkdtemp(join(tmpdir(), "ternmq-dashboard-shot-"));
      try {
        const file = join(directory, "dashboard.png");
        await page.screenshot({ path: file, fullPage: true });
        const png = decodePng(await readFile(file));
        expect(png.width).toBe(VIEWPORT.width);
        expect(png.height).toBeGreaterThanOrEqual(VIEWPORT.height);
        // A blank page has one colour; the dashboard has text, tiles and charts.
        expect(distinctColors(png)).toBeGreaterThan(50);
        const keep = process.env.TERNMQ_DASHBOARD_SCREENSHOT;
        if (keep !== undefined && keep !== "") await copyFile(file, keep);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
