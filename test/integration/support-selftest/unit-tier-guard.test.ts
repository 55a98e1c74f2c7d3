import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs `source` as an ES module the way the unit tier runs a test file, and returns its exit status and stderr. */
function underGuard(source: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/unit-tier-guard.mjs', '--input-type=module', '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the unit tier guard', () => {
  it('fails a process spawn, through a named import or the default export', () => {
    for (const source of [
      "import { spawnSync } from 'node:child_process'; spawnSync('true');",
      "import { execFile } from 'node:child_process'; execFile('true');",
      "import cp from 'node:child_process'; cp.spawn('true');",
    ]) {
      const { status, stderr } = underGuard(source);
      assert.notEqual(status, 0, source);
      assert.match(stderr, /unit tests use no sockets and no processes, but this one called child_process\./, source);
    }
  });

  it('fails a TCP listen or connect, and lets pure code run', () => {
    const listen = underGuard("import { createServer } from 'node:net'; createServer().listen(0);");
    assert.match(listen.stderr, /called net\.Server\.listen/);
    const connect = underGuard("import { connect } from 'node:net'; connect(9, '127.0.0.1');");
    assert.match(connect.stderr, /called net\.Socket\.connect/);
    assert.equal(underGuard("import { createHash } from 'node:crypto'; createHash('sha256').update('x').digest();").status, 0);
  });
});
