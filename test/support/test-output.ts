import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../../gateway/src/config/package-root.js';

/** Where tests leave logs and screenshots: test-output/<kind>/. */
export function testOutputDir(kind: string): string {
  const dir = join(packageRoot, 'test-output', kind);
  mkdirSync(dir, { recursive: true });

  return dir;
}

/** Like testOutputDir, emptied first: for the logs of one run. */
export function freshOutputDir(kind: string): string {
  rmSync(join(packageRoot, 'test-output', kind), {
    recursive: true,
    force: true,
  });

  return testOutputDir(kind);
}
