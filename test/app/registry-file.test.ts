/**
 * Reading the registry file (src/app/registry-file.ts): a file relative to the runtime's folder,
 * or stdin for `-`; what cannot be one is refused before it is read whole.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_REGISTRY_BYTES, readRegistryFile } from '../../src/app/registry-file.js';
import { OrgsError } from '../../src/core/errors.js';
import { testRuntime } from '../runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'orgs-registry-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runtime = (input?: string | Uint8Array) => testRuntime({ cwd: dir, input }).runtime;

async function failure(promise: Promise<unknown>): Promise<OrgsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrgsError) return error;
    throw error;
  }
  throw new Error('expected an OrgsError');
}

/** A file of `size` bytes that takes no room on disk. */
function sparseFile(name: string, size: number): void {
  const fd = openSync(join(dir, name), 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
}

describe('what is read', () => {
  test('a file, relative to the runtime folder, named as given', async () => {
    writeFileSync(join(dir, 'registry.yaml'), 'version: 1\n');
    expect(await readRegistryFile('registry.yaml', runtime())).toEqual({ text: 'version: 1\n', file: 'registry.yaml' });
    expect((await readRegistryFile(join(dir, 'registry.yaml'), runtime())).text).toBe('version: 1\n');
  });

  test('a leading byte order mark is dropped', async () => {
    writeFileSync(join(dir, 'bom.yaml'), '\ufeffversion: 1\n');
    expect((await readRegistryFile('bom.yaml', runtime())).text).toBe('version: 1\n');
  });

  test('- is stdin, named stdin', async () => {
    expect(await readRegistryFile('-', runtime('{"version": 1}'))).toEqual({ text: '{"version": 1}', file: 'stdin' });
  });
});

describe('what is refused: invalid_registry, exit 2, naming the file', () => {
  const refusal = async (path: string, input?: string | Uint8Array) => {
    const error = await failure(readRegistryFile(path, runtime(input)));
    expect([error.namespace, error.errorName, error.exitCode]).toEqual(['registry', 'invalid_registry', 2]);
    return error.message;
  };

  test('a file above 64 MiB, by its size, without reading it', async () => {
    sparseFile('large.yaml', MAX_REGISTRY_BYTES + 1);
    expect(await refusal('large.yaml')).toBe('large.yaml is larger than 64 MiB');
  });

  test('stdin above 64 MiB, no longer read past the limit', async () => {
    let pulled = 0;
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const endless = new Readable({
      read() {
        pulled++;
        this.push(chunk);
      },
    });
    const { runtime: withEndlessStdin } = testRuntime({ cwd: dir });
    const error = await failure(readRegistryFile('-', { ...withEndlessStdin, stdin: endless }));
    expect(error.message).toBe('stdin is larger than 64 MiB');
    expect(pulled).toBeLessThan(MAX_REGISTRY_BYTES / chunk.length + 4);
    expect(endless.destroyed).toBe(true);
  });

  test('a folder', async () => {
    mkdirSync(join(dir, 'folder.yaml'));
    expect(await refusal('folder.yaml')).toBe('folder.yaml is a folder, not a registry file');
  });

  test('a device', async () => {
    expect(await refusal('/dev/zero')).toBe(
      '/dev/zero is not a regular file (a pipe, socket or device); give a file, or - for stdin',
    );
  });

  test('a FIFO, without waiting for a writer', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    expect(await refusal('fifo.yaml')).toBe(
      'fifo.yaml is not a regular file (a pipe, socket or device); give a file, or - for stdin',
    );
  });

  test('bytes that are not UTF-8, at the first of them', async () => {
    writeFileSync(
      join(dir, 'latin1.yaml'),
      Buffer.from('version: 1\nusers: [{ user_id: u1, name: "Ren\xe9" }]\n', 'latin1'),
    );
    expect(await refusal('latin1.yaml')).toBe('latin1.yaml:2:34: not UTF-8 text (byte 0xe9)');
    // After a character beyond the BMP, counted as the parser counts columns (UTF-16 units).
    expect(await refusal('-', Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0x0a, 0x61, 0xc3]))).toBe(
      'stdin:2:2: not UTF-8 text (byte 0xc3)',
    );
  });
});

test('a missing file is not_found (exit 3), as for the other files orgs reads', async () => {
  const error = await failure(readRegistryFile('missing.yaml', runtime()));
  expect([error.namespace, error.errorName, error.exitCode]).toEqual(['registry', 'registry_path_not_found', 3]);
  expect(error.message).toBe('missing.yaml does not exist');
});
