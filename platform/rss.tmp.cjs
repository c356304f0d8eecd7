const mods = process.argv.slice(2);
const before = process.memoryUsage().rss;
for (const m of mods) require(m);
setTimeout(() => { global.gc?.(); setTimeout(() => { const u = process.memoryUsage(); console.log(mods.join(',') || '(none)', 'rss', (u.rss/2**20).toFixed(1), 'heapUsed', (u.heapUsed/2**20).toFixed(1), 'heapTotal', (u.heapTotal/2**20).toFixed(1), 'ext', (u.external/2**20).toFixed(1)); }, 500); }, 500);
