/**
 * The command line of the handler benchmark (`npm run bench`): help, defaults, and usage errors
 * answered as every tool of the project answers them (what is wrong, then a hint), exit 2; and the baseline its cold starts are compared with, started
 * in the environment the function's processes get. Its figures are never asserted.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { parseBenchArgs } from "../bench/args";
import { ROOT } from "./harness";
import { startFakeAws } from "./support/fakeAws";
import { bareNode, invokeInFreshProcess, layOut } from "./support/freshProcess";
import { REGION } from "./support/tokens";

describe("npm run bench: arguments", () => {
    it("defaults to 15 cold starts and 3-second throughput runs", () => {
        assert.deepStrictEqual(parseBenchArgs([], {}), { options: { runs: 15, seconds: 3, tests: false } });
        assert.deepStrictEqual(parseBenchArgs(["--runs", "31", "--seconds=0.5", "--tests"], {}), { options: { runs: 31, seconds: 0.5, tests: true } });
    });

    it("prints usage with an example for --help and -h, exiting 0", () => {
        for (const flag of ["--help", "-h"]) {
            const parsed = parseBenchArgs(["--runs", "x", flag], {});
            assert.ok("exit" in parsed && parsed.exit === 0, flag);
            assert.match(parsed.text, /^usage: npm run bench/);
            assert.match(parsed.text, /example: npm run bench -- --runs \d+/);
        }
    });

    const bad: Record<string, string[]> = {
        "an unknown flag": ["--fast"],
        "a positional argument": ["15"],
        "a missing value": ["--runs"],
        "a value for a switch": ["--tests=yes"],
        "a non-integer run count": ["--runs", "2.5"],
        "zero runs": ["--runs", "0"],
        "a word for seconds": ["--seconds", "soon"],
        "negative seconds": ["--seconds=-1"],
    };
    for (const [kind, argv] of Object.entries(bad)) {
        it(`refuses ${kind}: what is wrong, then the hint, exit 2`, () => {
            const parsed = parseBenchArgs(argv, {});
            assert.ok("exit" in parsed && parsed.exit === 2, JSON.stringify(parsed));
            assert.match(parsed.text, /^bench: [^\n]+\nrun 'npm run bench -- --help' for usage\n$/);
        });
    }

    it("spells out the command meant when npm took the options for want of '--'", () => {
        // `npm run bench --runs 3`: npm keeps --runs (npm_config_runs=true) and passes the tool `3` alone.
        const parsed = parseBenchArgs(["3"], { npm_config_runs: "true" });
        assert.ok("exit" in parsed && parsed.exit === 2, JSON.stringify(parsed));
        assert.strictEqual(parsed.text, "bench: Unexpected argument '3'\ndid you mean: npm run bench -- --runs 3 ? (npm needs '--' before the tool's options)\n");
    });

    it("exits 2 with those two lines alone on stderr, no stack trace", () => {
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "bench", "bench.ts"), "--fast"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(result.status, 2, result.stderr);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, "bench: Unknown option '--fast'\nrun 'npm run bench -- --help' for usage\n");
    });
});

describe("npm run bench: the processes it times", () => {
    // Variables that make every Node start slower; a build machine may set them for its own tools.
    const costly = { NODE_EXTRA_CA_CERTS: path.join(ROOT, "package.json"), NODE_OPTIONS: "--no-warnings" };
    const saved = new Map(Object.keys(costly).map((name) => [name, process.env[name]]));
    before(() => Object.assign(process.env, costly));
    after(() => {
        for (const [name, value] of saved) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    });
    const printEnv = "process.stdout.write(JSON.stringify(process.env))";

    it("starts bare Node without this process's variables, PATH aside", async () => {
        const env = JSON.parse((await bareNode(printEnv)).stdout) as Record<string, string>;
        for (const name of Object.keys(costly)) assert.strictEqual(env[name], undefined, name);
        assert.strictEqual(env.PATH, process.env.PATH);
    });

    it("starts a handler's process without them either, so bare Node is a baseline for it", async () => {
        const fake = await startFakeAws({ jwks: { keys: [] }, region: REGION, bucket: "unused", prefix: "unused" });
        const dir = layOut(new Map([["__index.js", `exports.handler = async () => ({ statusCode: 200, body: JSON.stringify(process.env) });\n`]]));
        try {
            const [response] = (await invokeInFreshProcess({ archiveDir: dir, fake, bucket: "unused", prefix: "unused", events: [{}] })).responses;
            const env = JSON.parse(response.body) as Record<string, string>;
            for (const name of Object.keys(costly)) assert.strictEqual(env[name], undefined, name);
            assert.strictEqual(env.PATH, process.env.PATH);
            // Bare Node gets every variable the handler's process gets but the function's configuration.
            const bare = JSON.parse((await bareNode(printEnv)).stdout) as Record<string, string>;
            for (const name of Object.keys(bare)) assert.strictEqual(bare[name], env[name], name);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            await fake.close();
        }
    });
});
