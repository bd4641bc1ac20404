import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../../gateway/src/config/package-root.js';

/** Where tests leave logs and screenshots: test-output/<kind>/. */
export function testOutputDir(kind: string): string {
  const dir = join(packageRoot, 'test-output', kind);
  mkdirSync(dir, { recursive: true });

  return dir;
}
