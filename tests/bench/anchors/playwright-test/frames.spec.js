// One test per frame: every story × mode our visual suite shoots, the stock way.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';

const { root, frames } = JSON.parse(
  readFileSync(`${process.env.AI_CREDITS_ANCHOR_OUT}/frames.json`, 'utf8'));

for (const frame of frames) {
  test.describe(() => {
    test.use({
      viewport: { width: frame.width, height: frame.height },
      colorScheme: frame.theme,
    });
    test(frame.key, async ({ page }) => {
      await page.goto(frame.url);
      await expect(page.locator(root)).toHaveScreenshot(`${frame.key}.png`);
    });
  });
}
