import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HUB_NODE_FLAGS } from '../../src/config/node-flags';

const root = join(__dirname, '../..');

describe('the V8 flags the service runs with', () => {
  it('are the same in the Docker image, npm start and npm run start:prod', () => {
    const cmd = readFileSync(join(root, 'docker/Dockerfile'), 'utf8').match(/^CMD (\[.*\])$/m);
    expect(JSON.parse(cmd![1])).toEqual(['node', ...HUB_NODE_FLAGS, 'dist/src/main.js']);
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts['start:prod']).toBe(`node ${HUB_NODE_FLAGS.join(' ')} dist/src/main.js`);
    expect(scripts.start).toBe(`npm run build && node ${HUB_NODE_FLAGS.join(' ')} dist/src/main.js`);
  });

  it('are accepted by this Node (an unknown flag stops node before it runs anything)', () => {
    const run = spawnSync(process.execPath, [...HUB_NODE_FLAGS, '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: 'ran', stderr: '' });
    const bad = spawnSync(process.execPath, ['--max-semi-space-sise=64', '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
