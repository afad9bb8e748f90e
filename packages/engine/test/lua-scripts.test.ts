import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LUA_DIR, luaSource } from '../src/lua.ts';
import { redisUrl } from './helpers.ts';

/**
 * Every Redis script is a `.lua` file under src/lua, opening with a header that names its KEYS and
 * ARGV, its shared parts pulled in from src/lua/includes by the loader in lua.ts. These prove each
 * script and include resolves and compiles in a real Redis, and that no script is left in
 * TypeScript.
 */

const client = new Redis(redisUrl());
afterAll(() => client.quit());

const luaNames = (dir: URL) =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => file.slice(0, -'.lua'.length))
    .sort();
const scripts = luaNames(LUA_DIR);
const includes = luaNames(new URL('includes/', LUA_DIR)).map((name) => `includes/${name}`);
const FIXTURES = '../../test/lua-fixtures';

/** The TypeScript files under `dir`, recursively. */
function typeScriptFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return typeScriptFiles(new URL(`${entry.name}/`, dir));
    return entry.name.endsWith('.ts') ? [new URL(entry.name, dir)] : [];
  });
}

/** The indexes of `KEYS[n]` and `ARGV[n]` written out in a text, as e.g. "KEYS[3]". */
const entriesIn = (text: string) => new Set(text.match(/\b(KEYS|ARGV)\[\d+\]/g) ?? []);

describe('Redis scripts', () => {
  it('are there', () => {
    expect(scripts).toContain('create-run');
    expect(includes).toContain('includes/occurrences');
  });

  it.each(scripts)('%s loads into Redis with its includes in place', async (name) => {
    const source = luaSource(name);
    expect(source).not.toContain('@include');
    expect(await client.script('LOAD', source)).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(includes)('%s resolves and compiles on its own', async (name) => {
    expect(await client.script('LOAD', luaSource(name))).toMatch(/^[0-9a-f]{40}$/);
  });

  it('use every include', () => {
    const used = new Set(
      [...scripts, ...includes].flatMap((name) =>
        [...readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8').matchAll(/^--- @include "([^"]+)"/gm)].map(
          (match) => new URL(`${match[1]}.lua`, new URL(`${name}.lua`, LUA_DIR)).href,
        ),
      ),
    );
    for (const name of includes) expect(used, name).toContain(new URL(`${name}.lua`, LUA_DIR).href);
  });

  it.each(scripts)('%s opens with a header naming every KEYS and ARGV entry it reads', (name) => {
    const text = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
    expect(text.startsWith('--[[')).toBe(true);
    const end = text.indexOf(']]');
    const header = entriesIn(text.slice(0, end));
    expect(header.size).toBeGreaterThan(0);
    for (const entry of entriesIn(text.slice(end))) expect(header, `${name}: ${entry}`).toContain(entry);
  });

  it('live in .lua files only: no TypeScript of the engine calls Redis from Lua', () => {
    const offenders = typeScriptFiles(new URL('../src/', import.meta.url)).filter((file) =>
      /redis\.p?call\(|luaScript\(`/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((file) => file.pathname)).toEqual([]);
  });
});

describe('the script loader', () => {
  it('includes a file once, where it is first named', () => {
    const source = luaSource(`${FIXTURES}/twice`);
    expect(source.match(/local function shared\(\)/g)).toHaveLength(1);
    expect(source.indexOf('local function shared')).toBeLessThan(
      source.indexOf('local function uses_shared'),
    );
  });

  it('refuses an include that is not a file, or one that includes its includer', () => {
    expect(() => luaSource(`${FIXTURES}/missing-include`)).toThrow(
      /includes "not-there", which is not a file/,
    );
    expect(() => luaSource(`${FIXTURES}/cycle`)).toThrow(/includes "cycle", which includes it/);
  });

  it('runs a script built from includes', async () => {
    expect(await client.eval(luaSource(`${FIXTURES}/twice`), 0)).toBe(3);
  });
});
