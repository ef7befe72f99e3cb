/**
 * Chromium for browser tests: playwright-core driving the build that ships inside the `@sparticuz/chromium` npm
 * package, so `npm install` alone provides it (no download, no apt).
 */
import PackagedChromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    // The package carries the browser compressed; executablePath() unpacks it once.
    executablePath: await PackagedChromium.executablePath(),
    // Its Lambda flags minus --single-process, which ends the browser with the first closed context.
    args: PackagedChromium.args.filter((arg) => arg !== '--single-process'),
  });
}
