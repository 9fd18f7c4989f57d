/**
 * The smoke checks, offline: against a fake deployment (aws-sdk-client-mock for Cognito, S3
 * and STS; the SigV4-verifying loopback server for the API).
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

import { formatReport, parseOutputs, runSmoke, SMOKE_USER_PREFIX, SmokeOptions, SmokeReport } from "../smoke/smoke";
import { ROOT } from "./harness";
import { Break, FakeDeployment, startFakeDeployment } from "./support/fakeDeployment";

const run = promisify(execFile);

describe("post-deploy smoke checks", () => {
    let fake: FakeDeployment;
    beforeEach(async () => {
        fake = await startFakeDeployment("stag");
    });
    afterEach(async () => {
        await fake.close();
    });

    const smoke = (options: Partial<SmokeOptions> = {}): Promise<SmokeReport> =>
        runSmoke(
            {
                outputs: fake.outputs,
                caller: async () => fake.callerDev,
                otherCaller: async () => fake.callerProd,
                stepTimeoutMs: 5000,
                ...options,
            },
            fake.clients,
        );
    const statusOf = (report: SmokeReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    const smokeLeftovers = () => ({
        users: [...fake.users.keys()].filter((u) => u.startsWith(SMOKE_USER_PREFIX)),
        objects: [...fake.objects.keys()],
        identities: [...fake.identities],
    });

    it("passes every check against a correct deployment, reporting each as it finishes, and leaves nothing behind", async () => {
        const seen: string[] = [];
        const report = await smoke({ onResult: (r) => seen.push(r.id) });
        assert.deepStrictEqual(statusOf(report), { 0: "pass", 1: "pass", 2: "pass", 3: "pass", 4: "pass", 5: "pass", 6: "pass" }, formatReport(report));
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(seen, ["0", "1", "2", "3", "4", "5", "6"]);
        assert.match(report.checks.find((c) => c.id === "5")!.detail, /the other stages' caller refused/);
        assert.deepStrictEqual(smokeLeftovers(), { users: [], objects: [], identities: [] });
        assert.deepStrictEqual(report.cleanup.failed, []);
        assert.strictEqual(report.cleanup.removed.filter((r) => r.startsWith("user ")).length, 2);
    });

    it("skips the cross-account check, and says why, when no caller credentials are given", async () => {
        const report = await smoke({ caller: undefined, otherCaller: undefined });
        const five = report.checks.find((c) => c.id === "5")!;
        assert.strictEqual(five.status, "skip");
        assert.match(five.detail, /no caller credentials/);
        assert.strictEqual(report.ok, true);
    });

    const guarded: [Break, string, RegExp][] = [
        ["read-file-returns-other-user", "1", /expected A's content/],
        ["s3-cross-user-read", "2", /reading B's file was allowed; it must be denied/],
        ["unsigned-allowed", "3", /expected 403, got 200/],
        ["user-role-reaches-admin", "4", /user role: expected 403, got 200/],
        ["other-caller-assumes", "5", /AssumeRole by the other stages' caller role was allowed/],
        ["oidc-role-writes", "6", /writing with the OIDC role was allowed/],
    ];
    for (const [broken, id, message] of guarded) {
        it(`check ${id} fails when the deployment breaks it (${broken}), and cleanup still runs`, async () => {
            fake.breaks.add(broken);
            const report = await smoke();
            const result = report.checks.find((c) => c.id === id)!;
            assert.strictEqual(result.status, "fail", formatReport(report));
            assert.match(result.detail, message);
            assert.strictEqual(report.ok, false);
            assert.deepStrictEqual(
                report.checks.filter((c) => c.id !== id).map((c) => c.status),
                report.checks.filter((c) => c.id !== id).map(() => "pass"),
                "only the broken property fails",
            );
            assert.deepStrictEqual(smokeLeftovers(), { users: [], objects: [], identities: [] });
        });
    }

    it("stops at an interruption, fails the running check, skips the rest, and cleans up exactly what it created", async () => {
        // Someone else's user and file, and a concurrent run's fresh user: none may be touched.
        fake.users.set("alice@example.com", { password: "x", group: "user", sub: "alice", created: new Date(0) });
        fake.objects.set("cognito-test/ap-northeast-1:identity-alice/data.txt", "alice's");
        fake.users.set(`${SMOKE_USER_PREFIX}concurrent-run-user@smoke.invalid`, { password: "x", group: "user", sub: "concurrent", created: new Date() });
        const abort = new AbortController();
        fake.beforeCall = (command) => {
            if (command === "AssumeRole") abort.abort();
        };
        const report = await smoke({ signal: abort.signal });
        assert.deepStrictEqual(statusOf(report), { 0: "pass", 1: "pass", 2: "pass", 3: "pass", 4: "pass", 5: "fail", 6: "skip" });
        assert.match(report.checks.find((c) => c.id === "5")!.detail, /interrupted/);
        assert.strictEqual(report.ok, false);
        assert.deepStrictEqual([...fake.users.keys()].sort(), ["alice@example.com", `${SMOKE_USER_PREFIX}concurrent-run-user@smoke.invalid`]);
        assert.deepStrictEqual([...fake.objects.keys()], ["cognito-test/ap-northeast-1:identity-alice/data.txt"]);
        assert.deepStrictEqual([...fake.identities], []);
    });

    it("cleans up after a failed set-up (a step timing out)", async () => {
        fake.beforeCall = async (command) => {
            if (command === "GetCredentialsForIdentity") await new Promise((resolve) => setTimeout(resolve, 300));
        };
        const report = await smoke({ stepTimeoutMs: 100 });
        assert.strictEqual(report.checks[0].status, "fail");
        assert.match(report.checks[0].detail, /timed out after 100 ms/);
        assert.ok(report.checks.slice(1).every((c) => c.status === "skip" && /set-up failed/.test(c.detail)));
        await new Promise((resolve) => setTimeout(resolve, 400)); // let the slow fake calls finish
        assert.deepStrictEqual(smokeLeftovers().users, []);
        assert.strictEqual(report.ok, false);
    });

    it("a re-run removes what an interrupted earlier run left behind", async () => {
        const abort = new AbortController();
        fake.beforeCall = (command) => {
            if (command === "AdminDeleteUser" || command === "DeleteObject" || command === "DeleteIdentities") {
                throw Object.assign(new Error("killed"), { name: "Killed" }); // the process died before cleaning up
            }
        };
        const first = await smoke({ signal: abort.signal });
        assert.ok(first.cleanup.failed.length > 0);
        assert.strictEqual(first.ok, false, "a run that could not clean up is not OK");
        assert.strictEqual(smokeLeftovers().users.length, 2);

        fake.beforeCall = undefined;
        const second = await smoke({ staleAfterMs: -1 });
        assert.strictEqual(second.ok, true, formatReport(second));
        assert.match(second.checks[0].detail, /removed 2 leftover user\(s\)/);
        assert.deepStrictEqual(smokeLeftovers(), { users: [], objects: [], identities: [] });
    });

    it("two concurrent runs do not collide", async () => {
        const [a, b] = await Promise.all([smoke(), smoke()]);
        assert.ok(a.ok && b.ok, `${formatReport(a)}\n${formatReport(b)}`);
        assert.notStrictEqual(a.runId, b.runId);
        assert.deepStrictEqual(smokeLeftovers(), { users: [], objects: [], identities: [] });
    });

    it("refuses stack outputs that lack what it needs, naming them", () => {
        assert.throws(() => parseOutputs({ stage: "deve" }), /stack outputs lack region, userPoolId, .*oidcReaderRoleArn/);
    });

    it("the CLI exits non-zero with a clear message on bad arguments or outputs", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-cli-"));
        const outputs = path.join(dir, "outputs.json");
        fs.writeFileSync(outputs, JSON.stringify({ stage: "deve" }));
        const cli = (...args: string[]) =>
            run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "smoke", "cli.ts"), ...args], { cwd: ROOT }).then(
                () => ({ code: 0, stderr: "" }),
                (error) => ({ code: error.code as number, stderr: String(error.stderr) }),
            );
        try {
            const unknown = await cli("--stack", "qa");
            assert.strictEqual(unknown.code, 2);
            assert.match(unknown.stderr, /unknown stage 'qa'/);
            const incomplete = await cli("--stack", "deve", "--outputs", outputs);
            assert.strictEqual(incomplete.code, 2);
            assert.match(incomplete.stderr, /stack outputs lack region/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
