/**
 * The capacity model (analysis/capacity.ts) on scenarios small enough to check by hand, its JSON
 * shape, the CLI's usage errors and help, issue 22's figures, and docs/capacity.md's table, which
 * must be what `npm run --silent capacity -- --table` prints.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { capacity, DEFAULT_PARAMETERS, DesignReport, exchangeCalls, ISSUE_SCENARIOS, renderScenarioTable, Scenario } from "../analysis/capacity";
import { QUOTAS } from "../analysis/capacityQuotas";
import { HINT, main, parseCapacityArgs } from "../tools/capacity";

const ROOT = path.join(__dirname, "..");

const design = (users: number, rps: number, key: string, parameters = {}): DesignReport => {
    const found = capacity(users, rps, parameters).designs.find((d) => d.key === key);
    assert.ok(found, `design ${key}`);
    return found;
};
const calls = (d: DesignReport, api: string) => {
    const found = d.apis.filter((a) => a.api === api);
    assert.ok(found.length > 0, `${d.key} calls ${api}`);
    return found.reduce((sum, a) => sum + a.callsPerSecond, 0);
};
const close = (actual: number, expected: number, relative = 1e-3) =>
    assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * relative, `${actual} is not within ${relative * 100}% of ${expected}`);

function run(argv: string[]): { code: number; out: string; err: string } {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, (t) => out.push(t), (t) => err.push(t));
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("capacity model", () => {
    describe("the seed's flow", () => {
        it("calls GetId, GetCredentialsForIdentity and AdminGetUser once per request, and binds at GetId's 25/s", () => {
            const seed = design(100, 10, "seed");
            assert.strictEqual(calls(seed, "cognito-identity:GetId"), 10);
            assert.strictEqual(calls(seed, "cognito-identity:GetCredentialsForIdentity"), 10);
            assert.strictEqual(calls(seed, "cognito-idp:AdminGetUser"), 10);
            assert.strictEqual(calls(seed, "s3:GetObject"), 10);
            assert.strictEqual(seed.binding, "cognito-identity:GetId");
            close(seed.maxRequestsPerSecond, 25);
            // Users scale with requests: 10 users per request/s.
            assert.strictEqual(seed.maxActiveUsers, 250);
            assert.deepStrictEqual(seed.quotaIncreases, []);
        });

        it("needs GetId raised to the request rate, and its concurrency is requests/s times its duration", () => {
            const seed = design(50_000, 500, "seed");
            assert.deepStrictEqual(
                seed.quotaIncreases.find((q) => q.quota === "cognito-identity:GetId"),
                { quota: "cognito-identity:GetId", defaultQuota: 25, needed: 500, how: "adjustable: contact your AWS account team" },
            );
            close(calls(seed, "lambda:Invoke (concurrency)"), (500 * DEFAULT_PARAMETERS.seedDurationMs) / 1000, 1e-2);
        });
    });

    describe("sign-in and token refresh", () => {
        it("refresh once per IdToken lifetime and sign in at the given rate, two user-pool calls each", () => {
            // 3600 users, 60-minute tokens: one refresh per second; 0.05 sign-ins per user-hour: 0.05/s.
            const browser = design(3600, 1, "browser");
            close(calls(browser, "cognito-idp:InitiateAuth"), 1 + 0.05);
            close(calls(browser, "cognito-idp:RespondToAuthChallenge"), 0.05);
            const dayLong = design(3600, 1, "browser", { idTokenMinutes: 1440, signInsPerUserHour: 0 });
            close(calls(dayLong, "cognito-idp:InitiateAuth"), 1 / 24);
        });

        it("hourly refreshes of a million users exceed UserAuthentication's 120/s; day-long tokens do not", () => {
            for (const key of ["seed", "exchange", "browser"]) {
                const d = design(1_000_000, 10_000, key);
                assert.ok(calls(d, "cognito-idp:InitiateAuth") > 277, key);
                assert.ok(d.quotaIncreases.some((q) => q.quota === "cognito-idp:UserAuthentication"), key);
            }
            const floor = design(1_000_000, 10_000, "floor");
            assert.ok(calls(floor, "cognito-idp:InitiateAuth") < 120);
        });
    });

    describe("the browser holding identity-pool credentials", () => {
        it("gets a new identity id per IdToken and credentials twice per hour-long token (renewed at 55 minutes)", () => {
            const browser = design(3600, 1, "browser");
            close(calls(browser, "cognito-identity:GetId"), 1);
            close(calls(browser, "cognito-identity:GetCredentialsForIdentity"), 2);
            // 25/s of GetId is 90,000 users renewing hourly.
            assert.strictEqual(browser.binding, "cognito-identity:GetId");
            assert.strictEqual(browser.maxActiveUsers, 90_000);
            assert.ok(!browser.apis.some((a) => a.api.startsWith("lambda:") || a.api.startsWith("execute-api:")));
        });
    });

    describe("the credential floor", () => {
        it("issues credentials at most 1.1x once per active user per credential lifetime, with no GetId on the steady path", () => {
            const floor = design(3600, 1, "floor", { signInsPerUserHour: 0 });
            const perUserHour = calls(floor, "cognito-identity:GetCredentialsForIdentity");
            close(perUserHour, 60 / 55);
            assert.ok(perUserHour <= 1.1);
            assert.strictEqual(calls(floor, "cognito-identity:GetId"), 0);
            // GetCredentialsForIdentity's 200/s is 660,000 users renewing every 55 minutes.
            assert.strictEqual(floor.binding, "cognito-identity:GetCredentialsForIdentity");
            assert.strictEqual(floor.maxActiveUsers, 660_000);
        });

        it("calls GetId once per sign-in on a device", () => {
            close(calls(design(3600, 1, "floor"), "cognito-identity:GetId"), 0.05);
        });
    });

    describe("this project's exchange", () => {
        const scenario = (users: number, rps: number, parameters = {}): Scenario => ({ ...DEFAULT_PARAMETERS, ...parameters, users, rps });

        it("for one user on one container: one credential issue per 5-minute window, one GetId per container life", () => {
            const x = exchangeCalls(scenario(1, 1));
            assert.strictEqual(x.containers, 1);
            assert.strictEqual(x.cacheTimeSeconds, Infinity);
            // Entry life: E[min(300 s, token life left, container life left)], both uniform:
            // 300 - 300²/2·(1/7200 + 1/3600) + 300³/(3·7200·3600) = 281.597 s, so 281.6 hits per issue.
            close(x.getCredentialsForIdentity, 1 / (1 + 281.597), 1e-4);
            // The identity id survives the container: one GetId per 7,200-second life.
            close(x.getId, 1 / 7200, 1e-3);
        });

        it("with no reuse window, calls GetCredentialsForIdentity on every request", () => {
            assert.strictEqual(exchangeCalls(scenario(1, 1, { revalidateMinutes: 0 })).getCredentialsForIdentity, 1);
        });

        it("derives concurrency from the measured duration and spreads users over the containers", () => {
            const x = exchangeCalls(scenario(1_000_000, 10_000));
            close(x.concurrency, 10_000 * 0.000601, 1e-6);
            assert.strictEqual(x.containers, 7);
            assert.strictEqual(exchangeCalls(scenario(1_000_000, 10_000, { durationMs: 50 })).containers, 500);
        });

        it("at a million users, almost every request is a new (user, container) pair: both calls run at the request rate", () => {
            const exchange = design(1_000_000, 10_000, "exchange");
            assert.ok(calls(exchange, "cognito-identity:GetId") > 0.99 * 10_000);
            assert.ok(calls(exchange, "cognito-identity:GetCredentialsForIdentity") > 0.99 * 10_000);
            assert.strictEqual(exchange.binding, "cognito-identity:GetId");
        });

        it("caches more when users are few and busy, never calling GetId more than GetCredentialsForIdentity", () => {
            const busy = exchangeCalls(scenario(500, 500));
            assert.ok(busy.credentialHitRate > 0.9, String(busy.credentialHitRate));
            for (const [users, rps] of [[10, 1], [500, 500], [50_000, 500], [2_000, 30]]) {
                const x = exchangeCalls(scenario(users, rps));
                assert.ok(x.getId <= x.getCredentialsForIdentity + 1e-12);
                assert.ok(x.getCredentialsForIdentity <= rps);
            }
        });

        it("counts the caller's AssumeRole against 600/s and the JWKS fetch of each new container", () => {
            const exchange = design(1_000_000, 10_000, "exchange");
            close(calls(exchange, "sts:AssumeRole"), 7 / 600, 1e-2);
            close(calls(exchange, "cognito-idp:jwks.json"), 7 / 7200, 1e-2);
        });
    });

    describe("quotas", () => {
        it("are cited by docs.aws.amazon.com pages, and S3's per-prefix limit never binds an account", () => {
            for (const quota of Object.values(QUOTAS)) assert.match(quota.source, /^https:\/\/docs\.aws\.amazon\.com\//, quota.id);
            assert.strictEqual(QUOTAS["s3:GET"].binds, false);
            // The issue's starting values, each checked against the page.
            assert.strictEqual(QUOTAS["cognito-identity:GetId"].value, 25);
            assert.strictEqual(QUOTAS["cognito-identity:GetCredentialsForIdentity"].value, 200);
            assert.strictEqual(QUOTAS["cognito-identity:GetOpenIdToken"].value, 200);
            assert.strictEqual(QUOTAS["cognito-idp:UserAuthentication"].value, 120);
            assert.strictEqual(QUOTAS["sts:AssumeRole"].value, 600);
            assert.strictEqual(QUOTAS["execute-api:Invoke"].value, 10_000);
            assert.strictEqual(QUOTAS["lambda:ConcurrentExecutions"].value, 1000);
            assert.strictEqual(QUOTAS["s3:GET"].value, 5500);
        });

        it("that could not be read on their page are said so in docs/capacity.md", () => {
            const doc = fs.readFileSync(path.join(ROOT, "docs", "capacity.md"), "utf8");
            const unverified = Object.values(QUOTAS).filter((q) => !q.verified);
            assert.ok(unverified.length > 0);
            for (const quota of unverified) assert.match(doc, new RegExp(`\`${quota.id}\`[^\\n]*not verified`), quota.id);
        });
    });
});

describe("capacity JSON", () => {
    it("is {scenario, designs: [{name, apis: [{api, callsPerSecond, defaultQuota, quotaSource}], maxRequestsPerSecond, binding, trade}]}", () => {
        const { code, out } = run(["--users", "50k", "--rps", "500", "--format", "json"]);
        assert.strictEqual(code, 0);
        const report = JSON.parse(out);
        assert.deepStrictEqual(Object.keys(report), ["scenario", "designs"]);
        assert.strictEqual(report.scenario.users, 50_000);
        assert.strictEqual(report.scenario.requestsPerSecond, 500);
        assert.deepStrictEqual(
            report.designs.map((d: { key: string }) => d.key),
            ["seed", "exchange", "browser", "floor"],
        );
        assert.strictEqual(report.designs.filter((d: { name: string }) => /\bseed\b/.test(d.name)).length, 1);
        assert.match(report.designs[0].name, /\bseed\b/);
        for (const d of report.designs) {
            assert.strictEqual(typeof d.name, "string");
            assert.strictEqual(typeof d.maxRequestsPerSecond, "number");
            assert.strictEqual(typeof d.maxActiveUsers, "number");
            assert.ok(d.binding in QUOTAS, d.binding);
            assert.ok(d.trade.length > 40);
            assert.ok(Array.isArray(d.quotaIncreases));
            for (const a of d.apis) {
                assert.match(a.api, /^[a-z0-9-]+:[A-Za-z.]+( \(concurrency\))?$/, a.api);
                assert.strictEqual(typeof a.callsPerSecond, "number");
                assert.ok(a.callsPerSecond >= 0);
                assert.strictEqual(typeof a.defaultQuota, "number");
                assert.match(a.quotaSource, /^https:\/\/docs\.aws\.amazon\.com\//);
                assert.strictEqual(typeof a.verified, "boolean");
            }
        }
    });
});

describe("npm run capacity", () => {
    it("--help prints the usage and exits 0", () => {
        const { code, out, err } = run(["--help"]);
        assert.strictEqual(code, 0);
        assert.match(out, /^usage: npm run capacity -- --users N --rps R/);
        assert.match(out, /--format text\|json/);
        assert.strictEqual(err, "");
        assert.strictEqual(run(["-h"]).code, 0);
    });

    for (const [argv, message] of [
        [[], "--users is required"],
        [["--users", "50k"], "--rps is required"],
        [["--users", "lots", "--rps", "5"], "--users must be a whole number of users, 1 or more, got 'lots'"],
        [["--users", "10", "--rps", "-1"], "Option '--rps' argument is ambiguous"],
        [["--users", "0", "--rps", "5"], "--users must be a whole number"],
        [["--users", "10", "--rps=-1"], "--rps must be a number of requests per second above 0, got '-1'"],
        [["--users", "10", "--rps", "1", "--format", "yaml"], "--format must be text or json, got 'yaml'"],
        [["--users", "10", "--rps", "1", "--id-token-minutes", "2000"], "--id-token-minutes must be a number of minutes from 5 to 1440"],
        [["--users", "10", "--rps", "1", "--duration-ms", ""], "--duration-ms must be a number of milliseconds above 0, got ''"],
        [["--users", "10", "--rps", "1", "--cache-entries", "1.5"], "--cache-entries must be a positive integer"],
        [["--users", "10", "--rps", "1", "--credential-minutes", "5"], "--credential-minutes must be a number of minutes above 5"],
        [["--users", "10", "--rps", "1", "--bogus"], "Unknown option '--bogus'"],
        [["--users", "10", "--rps", "1", "extra"], "Unexpected argument 'extra'"],
        [["--table", "--users", "10"], "--table prints issue 22's fixed scenarios"],
    ] as [string[], string][]) {
        it(`refuses ${JSON.stringify(argv)}: exit 2, 'capacity: ${message}…' and the hint`, () => {
            const { code, out, err } = run(argv);
            assert.strictEqual(code, 2);
            assert.strictEqual(out, "");
            const lines = err.split("\n");
            assert.strictEqual(lines.length, 2, err);
            assert.ok(lines[0].startsWith(`capacity: ${message}`), lines[0]);
            assert.strictEqual(lines[1], HINT);
            assert.strictEqual(HINT, "run 'npm run capacity -- --help' for usage");
        });
    }

    it("spells out the command meant when npm took the options for want of '--'", () => {
        // `npm run capacity --users 50k --rps 500`: npm keeps both flags (npm_config_users=true,
        // npm_config_rps=true) and passes the tool the two values alone.
        assert.deepStrictEqual(parseCapacityArgs(["50k", "500"], { npm_config_users: "true", npm_config_rps: "true" }), {
            exit: 2,
            err: ["capacity: Unexpected argument '50k'", "did you mean: npm run capacity -- --users 50k --rps 500 ? (npm needs '--' before the tool's options)"],
        });
    });

    it("takes k and M suffixes and prints every design's binding quota as text", () => {
        const { code, out } = run(["--users", "1M", "--rps", "10k"]);
        assert.strictEqual(code, 0);
        assert.match(out, /^capacity: 1,000,000 active users, 10,000 requests\/s/);
        assert.strictEqual((out.match(/^ {3}binding: /gm) ?? []).length, 4);
        assert.match(out, /quota sources:/);
    });

    it("exits 2 with the message on stderr as a process", function () {
        this.timeout(60_000);
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools", "capacity.ts"), "--users", "5"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(result.status, 2, result.stderr);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, `capacity: --rps is required (requests/s of all users, e.g. --rps 500)\n${HINT}\n`);
    });
});

describe("issue 22's figures", () => {
    const at = (users: number, rps: number) => capacity(users, rps).designs;

    it("per design: the seed and this project's exchange bind at GetId, the browser flow at GetId, the floor at GetCredentialsForIdentity", () => {
        for (const [users, rps] of ISSUE_SCENARIOS) {
            const [seed, exchange, browser, floor] = at(users, rps);
            assert.strictEqual(seed.binding, "cognito-identity:GetId");
            close(seed.maxRequestsPerSecond, 25);
            assert.strictEqual(exchange.binding, "cognito-identity:GetId");
            assert.ok(exchange.maxRequestsPerSecond < 200, String(exchange.maxRequestsPerSecond));
            assert.strictEqual(browser.binding, "cognito-identity:GetId");
            assert.strictEqual(browser.maxActiveUsers, 90_000);
            assert.strictEqual(floor.binding, "cognito-identity:GetCredentialsForIdentity");
            assert.strictEqual(floor.maxActiveUsers, 660_000);
        }
    });

    it("at a million users even one credential issue per user-hour exceeds GetCredentialsForIdentity's default", () => {
        const floor = at(1_000_000, 10_000)[3];
        assert.ok(calls(floor, "cognito-identity:GetCredentialsForIdentity") > 278);
        assert.deepStrictEqual(
            floor.quotaIncreases.filter((q) => QUOTAS[q.quota].binds).map((q) => [q.quota, q.needed]),
            [["cognito-identity:GetCredentialsForIdentity", 304]],
        );
    });

    it("are the table of docs/capacity.md, as npm run --silent capacity -- --table prints it", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "capacity.md"), "utf8");
        const shown = /<!-- capacity-table:start -->\n([\s\S]*?)\n<!-- capacity-table:end -->/.exec(doc)?.[1];
        assert.ok(shown, "docs/capacity.md has the capacity-table markers");
        const { code, out } = run(["--table"]);
        assert.strictEqual(code, 0);
        assert.strictEqual(out, renderScenarioTable());
        assert.strictEqual(shown, out, "regenerate it: npm run --silent capacity -- --table");
    });
});
