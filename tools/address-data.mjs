// Builds the address secondary instances (provinces, districts, subdistricts
// with postcodes) that the service forms use for their cascading selects.
//
// usage: node tools/address-data.mjs PATH/TO/thai-address-database OUT_DIR
//
// The input is the npm package thai-address-database (ISC licence); the
// package expands its compressed table itself, so we ask it for every row and
// assign stable codes in Thai collation order. The output is committed; run
// this only to move to a new version of the data set, and record the version
// in assets/forms/media/README.md.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error('usage: node tools/address-data.mjs PACKAGE_DIR OUT_DIR');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const lib = require(path.resolve(pkgDir, 'lib/index.js'));
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
// Every row matches ".": the package has no "list all" call.
const rows = lib.searchAddressByProvince('.', 1000000);

const collator = new Intl.Collator('th');
const byName = (a, b) => collator.compare(a, b);
const pad = (n) => String(n).padStart(2, '0');
const csvField = (s) => (/[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
const write = (name, header, lines) => {
  const text = [header, ...lines.map((l) => l.map(csvField).join(','))].join('\n') + '\n';
  fs.writeFileSync(path.join(outDir, name), text);
};

const provinces = [...new Set(rows.map((r) => r.province))].sort(byName);
const provinceCode = new Map(provinces.map((p, i) => [p, 'p' + pad(i + 1)]));
const districts = new Map();
for (const r of rows) {
  const key = r.province + '|' + r.amphoe;
  if (!districts.has(key)) districts.set(key, { province: r.province, name: r.amphoe });
}
const districtCode = new Map();
for (const p of provinces) {
  const mine = [...districts.values()].filter((d) => d.province === p).map((d) => d.name).sort(byName);
  mine.forEach((d, i) => districtCode.set(p + '|' + d, provinceCode.get(p) + 'd' + pad(i + 1)));
}
const subdistricts = [];
for (const [key, code] of districtCode) {
  const [p, d] = key.split('|');
  const mine = rows.filter((r) => r.province === p && r.amphoe === d)
    .sort((a, b) => byName(a.district, b.district) || a.zipcode.localeCompare(b.zipcode));
  mine.forEach((r, i) => subdistricts.push([code + 's' + pad(i + 1), r.district, code, String(r.zipcode)]));
}

fs.mkdirSync(outDir, { recursive: true });
write('provinces.csv', 'name,label', provinces.map((p) => [provinceCode.get(p), p]));
write('districts.csv', 'name,label,province',
  [...districtCode].map(([key, code]) => [code, key.split('|')[1], provinceCode.get(key.split('|')[0])]));
write('subdistricts.csv', 'name,label,district,postcode', subdistricts);
console.log(`thai-address-database ${version}: ${provinces.length} provinces, ` +
  `${districtCode.size} districts, ${subdistricts.length} subdistrict rows`);
