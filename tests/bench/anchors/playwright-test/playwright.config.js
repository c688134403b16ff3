// Inputs come from a built catalogue (tests/bench/anchors/frames.py writes frames.json), results
// and baselines go to the build directory: nothing generated lands in the source tree.
import { readFileSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const out = process.env.AI_CREDITS_ANCHOR_OUT;
if (!out) throw new Error('AI_CREDITS_ANCHOR_OUT is not set: run python -m tests.bench.anchors.run');
// The same browser and flags as our harness (catalogue/visual/capture.py), via frames.json.
const { chromium } = JSON.parse(readFileSync(`${out}/frames.json`, 'utf8'));

export default defineConfig({
  testDir: '.',
  testMatch: 'frames.spec.js',
  outputDir: `${out}/playwright-test-results`,
  snapshotPathTemplate: `${out}/playwright-snapshots/{arg}{ext}`,
  fullyParallel: true,
  reporter: 'dot',
  use: {
    launchOptions: { executablePath: chromium.path, args: chromium.args },
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
    locale: 'en-US',
  },
});
