// Formats the Redis scripts (packages/engine/src/lua, bench/lua) with StyLua, the Lua formatter
// published on npm as WebAssembly. `--check`: change nothing, list the files that would change
// and exit 1 if any would (as `biome format` does for TypeScript).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CollapseSimpleStatement,
  Config,
  formatCode,
  IndentType,
  OutputVerification,
  QuoteStyle,
} from '@johnnymorganz/stylua';
import { repoRoot } from './lib/util.mjs';

const ROOTS = ['packages/engine/src/lua', 'bench/lua'];

/** @param {string} dir @returns {string[]} */
function luaFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return luaFiles(path);
    return entry.name.endsWith('.lua') ? [path] : [];
  });
}

/** A new one per file: formatCode takes ownership of the config it is given. */
function config() {
  const c = Config.new();
  c.indent_type = IndentType.Spaces;
  c.indent_width = 2;
  c.column_width = 110;
  c.quote_style = QuoteStyle.AutoPreferSingle;
  // Guards such as `if not status then return 0 end` stay on one line.
  c.collapse_simple_statement = CollapseSimpleStatement.ConditionalOnly;
  return c;
}

const check = process.argv.includes('--check');
const changed = [];
for (const file of ROOTS.flatMap((root) => luaFiles(join(repoRoot, root)))) {
  const source = readFileSync(file, 'utf8');
  const formatted = formatCode(source, config(), undefined, OutputVerification.None);
  if (formatted === source) continue;
  changed.push(relative(repoRoot, file));
  if (!check) writeFileSync(file, formatted);
}
if (check && changed.length > 0) {
  process.stderr.write(`Lua files not formatted (run \`pnpm format\`):\n  ${changed.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `${check ? 'checked' : 'formatted'} the Lua scripts${changed.length && !check ? `: ${changed.length} changed` : ''}\n`,
);
