/**
 * One Node story: `engines` in package.json names the Node versions the project supports, and the
 * rest agrees with it. Every package of the lockfile accepts the oldest version of each supported
 * line (so `npm ci` prints no EBADENGINE warning on any of them), the workflows' `node-version` is
 * a supported line, the Node running these tests (`.ci/run`'s, on the build machine) is supported,
 * and the README states the range as package.json does.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import type * as Semver from "semver";

import { ROOT } from "./harness";

// semver is not a dependency of the project's own: take the copy of a package that depends on it directly.
const semver = require(require.resolve("semver", { paths: [require.resolve("@pulumi/pulumi")] })) as typeof Semver;

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const ENGINES: string = pkg.engines.node;
/** The oldest version of each supported line, e.g. 20.19.0 and 22.13.0 for `^20.19.0 || ^22.13.0 || >=24`. */
const OLDEST = ENGINES.split("||").map((range) => semver.minVersion(range.trim())?.version ?? "");

describe("Node versions", () => {
    it("engines names each supported line from its oldest version", () => {
        assert.ok(OLDEST.length >= 2 && OLDEST.every((v) => semver.valid(v) && semver.satisfies(v, ENGINES)), `${ENGINES}: ${OLDEST.join(", ")}`);
    });

    it("every package of the lockfile accepts the oldest version of each supported line: npm ci warns of no engine", () => {
        const refusing = Object.entries<{ version?: string; engines?: { node?: string } }>(lock.packages).flatMap(([key, entry]) => {
            const range = entry.engines?.node;
            if (!key || !range) return [];
            const refused = OLDEST.filter((version) => !semver.satisfies(version, range));
            return refused.length ? [`${key.replace(/^.*node_modules\//, "")}@${entry.version} (node ${range}) refuses ${refused.join(", ")}`] : [];
        });
        assert.deepStrictEqual(refusing, [], `packages whose engines exclude a version that package.json's engines (${ENGINES}) supports`);
    });

    it("the policy pack (its own package, installed with npm ci --prefix policy) names the same engines, and its lockfile accepts them", () => {
        const policy = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        const policyLock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package-lock.json"), "utf8"));
        assert.strictEqual(policy.engines?.node, ENGINES);
        const refusing = Object.entries<{ version?: string; engines?: { node?: string } }>(policyLock.packages).flatMap(([key, entry]) => {
            const range = entry.engines?.node;
            if (!key || !range) return [];
            return OLDEST.some((version) => !semver.satisfies(version, range)) ? [`${key}@${entry.version} (node ${range})`] : [];
        });
        assert.deepStrictEqual(refusing, []);
    });

    it("the workflows set up a supported Node line", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        const versions = fs
            .readdirSync(dir)
            .filter((file) => file.endsWith(".yml"))
            .flatMap((file) => [...fs.readFileSync(path.join(dir, file), "utf8").matchAll(/^\s*node-version:\s*['"]?([^'"\s#]+)/gm)].map((m) => ({ file, version: m[1] })));
        assert.ok(versions.length > 0, "the workflows name a node-version");
        for (const { file, version } of versions) {
            // A major alone (22) sets up that line's newest release: it must be a line engines supports.
            assert.ok(semver.intersects(`${version}.x`, ENGINES) && semver.satisfies(`${version}.999.0`, ENGINES), `${file}: node-version ${version} is outside ${ENGINES}`);
        }
    });

    it("the Node running the tests is a supported one", () => {
        assert.ok(semver.satisfies(process.versions.node, ENGINES), `Node ${process.versions.node} is outside engines ${ENGINES}`);
    });

    it("the README states the supported range as package.json does", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(readme.includes(`\`${ENGINES}\``), `README.md names engines \`${ENGINES}\``);
    });
});
