// jest's @swc/jest takes the options inline; keep one source of truth in .swcrc.
module.exports = { ...JSON.parse(require('fs').readFileSync(__dirname + '/.swcrc', 'utf8')), swcrc: false };
