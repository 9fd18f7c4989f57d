/**
 * The command line of the handler benchmark (`npm run bench`): help, defaults, and one-line
 * usage errors with exit status 2. Its figures are never asserted.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

import { parseBenchArgs } from "../bench/args";
import { ROOT } from "./harness";

describe("npm run bench: arguments", () => {
    it("defaults to 15 cold starts and 3-second throughput runs", () => {
        assert.deepStrictEqual(parseBenchArgs([]), { options: { runs: 15, seconds: 3, tests: false } });
        assert.deepStrictEqual(parseBenchArgs(["--runs", "31", "--seconds=0.5", "--tests"]), { options: { runs: 31, seconds: 0.5, tests: true } });
    });

    it("prints usage with an example for --help and -h, exiting 0", () => {
        for (const flag of ["--help", "-h"]) {
            const parsed = parseBenchArgs(["--runs", "x", flag]);
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
        it(`refuses ${kind} with a one-line usage error, exit 2`, () => {
            const parsed = parseBenchArgs(argv);
            assert.ok("exit" in parsed && parsed.exit === 2, JSON.stringify(parsed));
            assert.match(parsed.text, /^bench: .*\(usage: npm run bench -- /);
            assert.ok(!parsed.text.includes("\n"), parsed.text);
        });
    }

    it("exits 2 with that line alone on stderr, no stack trace", () => {
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "bench", "bench.ts"), "--fast"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(result.status, 2, result.stderr);
        assert.strictEqual(result.stdout, "");
        assert.match(result.stderr, /^bench: Unknown option '--fast'.*\(usage: npm run bench -- .*\)\n$/);
    });
});
