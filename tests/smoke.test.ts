/**
 * The smoke checks, offline: against a fake deployment (aws-sdk-client-mock for Cognito, S3
 * and STS, with the smoke role's rights enforced on the operator's credentials; the
 * SigV4-verifying loopback server for the API).
 */
import * as assert from "assert";

import { isAuthorizationDenial } from "../smoke/errors";
import { formatReport, parseOutputs, SMOKE_RECORDS_PREFIX, SmokeReport } from "../smoke/smoke";
import { Break, FakeDeployment, NOTHING_LEFT, smokeAgainst, startFakeDeployment, statusOf } from "./support/fakeDeployment";

describe("post-deploy smoke checks", () => {
    let fake: FakeDeployment;
    beforeEach(async () => {
        fake = await startFakeDeployment("stag");
    });
    afterEach(async () => {
        await fake.close();
    });
    const smoke = smokeAgainst(() => fake);
    const check = (report: SmokeReport, id: string) => report.checks.find((c) => c.id === id)!;

    it("passes every check against a correct deployment, within the smoke role's rights, and leaves nothing behind", async () => {
        const seen: string[] = [];
        const report = await smoke({ onResult: (r) => seen.push(r.id) });
        assert.deepStrictEqual(statusOf(report), { 0: "pass", 1: "pass", 2: "pass", 3: "pass", 4: "pass", 5: "pass", 6: "pass" }, formatReport(report));
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(seen, ["0", "1", "2", "3", "4", "5", "6"]);
        assert.match(check(report, "5").detail, /the other stages' caller \(arn:aws:sts::210987654321:assumed-role\/LambdaRoleProd\/caller\) refused/);
        assert.match(check(report, "6").detail, /\/whoami names arn:aws:sts::111122223333:assumed-role\/federated-access-stag-oidc\/smoke-.*; A's file denied; \/read-file 403 \(IAM\)/);
        assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        assert.deepStrictEqual(report.cleanup.failed, []);
        assert.strictEqual(report.cleanup.removed.filter((r) => r.startsWith("user ")).length, 2);
        assert.ok(report.checks.every((c) => c.attempts > 0 && c.retried.length === 0), "no retries against a settled deployment");
        assert.ok(!fake.calls.includes("AdminSetUserPassword"), "no password reset: a user is signed in by answering its NEW_PASSWORD_REQUIRED challenge");
        assert.ok(fake.calls.includes("AdminRespondToAuthChallenge"));
    });

    it("writes its record before creating any user, and every user object is written with that user's credentials", async () => {
        const order: string[] = [];
        fake.beforeCall = (command, input) => {
            if (command === "PutObject") order.push(input.Key.startsWith(SMOKE_RECORDS_PREFIX) ? `record ${input.Key.split("/").pop()}` : `object ${input.Key.split("/").pop()}`);
            if (command === "AdminCreateUser") order.push("AdminCreateUser");
            if (command === "GetId") order.push("GetId");
        };
        const report = await smoke();
        assert.strictEqual(report.ok, true, formatReport(report));
        assert.deepStrictEqual(order.slice(0, 5), ["record 0000-intent.json", "AdminCreateUser", "GetId", "record 0001-identity.json", "record 0002-object.json"]);
        assert.strictEqual(order[5], "object data.txt", "the record names each object before it is written");
    });

    it("skips the cross-account check, and says why, when no caller credentials are given", async () => {
        const report = await smoke({ caller: undefined, otherCaller: undefined });
        assert.strictEqual(check(report, "5").status, "skip");
        assert.match(check(report, "5").detail, /no caller credentials/);
        assert.strictEqual(report.ok, true);
    });

    it("fails the cross-account check without caller credentials when a caller is required", async () => {
        const report = await smoke({ caller: undefined, otherCaller: undefined, requireCaller: true });
        assert.strictEqual(check(report, "5").status, "fail");
        assert.match(check(report, "5").detail, /cross-account check is required \(--require-caller\)/);
        assert.strictEqual(report.ok, false);
        assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
    });

    const guarded: [Break, string, RegExp][] = [
        ["read-file-returns-other-user", "1", /expected A's content/],
        ["s3-cross-user-read", "2", /reading B's file was allowed; it must be denied/],
        ["s3-refuses-unauthenticated", "2", /reading B's file: expected AccessDenied, got SignatureDoesNotMatch.*not an authorization decision/],
        ["s3-denies-someone-else", "2", /reading B's file: expected AccessDenied, got AccessDenied: User: .*ci-smoke\/smoke .*\(a denial of .*ci-smoke\/smoke, not of arn:aws:sts::111122223333:assumed-role\/federated-access-stag-user-identity\/CognitoIdentityCredentials\)/],
        ["unsigned-allowed", "3", /expected 403, got 200/],
        ["user-role-reaches-admin", "4", /user role on \/admin: expected 403, got 200/],
        ["api-signature-refusal", "4", /user role on \/admin: 403 but not an authorization refusal \(bad-signature/],
        ["other-caller-assumes", "5", /AssumeRole by the other stages' caller role was allowed/],
        ["other-caller-credentials-invalid", "5", /the other stages' caller credentials do not work \(SignatureDoesNotMatch.*so a refusal of them proves nothing/],
        ["other-caller-denied-as-someone-else", "5", /expected AccessDenied naming arn:aws:sts::210987654321:assumed-role\/LambdaRoleProd\/caller, got AccessDenied: User: arn:aws:sts::210987654321:assumed-role\/LambdaRoleDeve/],
        ["oidc-role-reads-bucket", "6", /reading A's data.txt with the OIDC role was allowed/],
        ["oidc-role-invokes-read-file", "6", /OIDC role on \/read-file: expected 403, got 200/],
        ["oidc-role-no-whoami", "6", /\/whoami: expected federated-access-stag-oidc\/smoke-.*, got 403/],
    ];
    for (const [broken, id, message] of guarded) {
        it(`check ${id} fails when the deployment breaks it (${broken}), and cleanup still runs`, async () => {
            fake.breaks.add(broken);
            const report = await smoke({ timing: { settleBudgetMs: 100 } });
            const result = check(report, id);
            assert.strictEqual(result.status, "fail", formatReport(report));
            assert.match(result.detail, message);
            assert.strictEqual(report.ok, false);
            assert.deepStrictEqual(
                report.checks.filter((c) => c.id !== id).map((c) => `${c.id} ${c.status}`),
                report.checks.filter((c) => c.id !== id).map((c) => `${c.id} pass`),
                "only the broken property fails",
            );
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });
    }

    it("counts the handler's own refusal of /admin, and says IAM let the user role through", async () => {
        fake.breaks.add("user-role-invokes-admin");
        const report = await smoke();
        assert.strictEqual(check(report, "4").status, "pass", formatReport(report));
        assert.match(check(report, "4").detail, /user 403 \(handler: admin_only; IAM let it through\)/);
    });

    it("counts a refusal only when it is an authorization denial of the credentials used", () => {
        const denial = (name: string, message: string, status = 403) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
        const arn = "arn:aws:sts::1:assumed-role/R/s";
        assert.ok(isAuthorizationDenial(denial("AccessDenied", `User: ${arn} is not authorized to perform: sts:AssumeRole on resource: x`), arn));
        assert.ok(!isAuthorizationDenial(denial("AccessDenied", "User: arn:aws:sts::1:assumed-role/R/other is not authorized to perform: x"), arn));
        assert.ok(!isAuthorizationDenial(denial("AccessDenied", "Access Denied"), arn), "STS-style: the principal must be named");
        assert.ok(isAuthorizationDenial(denial("AccessDenied", "Access Denied"), arn, false), "S3-style: a bare denial of working credentials counts");
        assert.ok(!isAuthorizationDenial(denial("AccessDenied", "User: arn:aws:sts::1:assumed-role/R/other is not authorized to perform: x"), arn, false));
        for (const name of ["InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId", "ExpiredToken", "Forbidden"]) {
            assert.ok(!isAuthorizationDenial(denial(name, "refused")), name);
        }
        assert.ok(isAuthorizationDenial(denial("AccessDeniedException", "not authorized", 400)));
    });

    it("stops at an interruption, fails the running check, skips the rest, and cleans up exactly what it created", async () => {
        // Someone else's user and file, and a concurrent run's fresh record and user: none may be touched.
        fake.users.set("alice@example.com", { sub: "alice", password: "x", status: "CONFIRMED", group: "user", created: new Date(0) });
        fake.objects.set("cognito-test/ap-northeast-1:alice/data.txt", { body: "alice's", lastModified: new Date(0) });
        fake.objects.set(`${SMOKE_RECORDS_PREFIX}concurrent-run/0000-intent.json`, { body: "{}", lastModified: new Date() });
        fake.users.set("smoke+concurrent-run-user@smoke.invalid", { sub: "concurrent", status: "FORCE_CHANGE_PASSWORD", created: new Date() });
        const abort = new AbortController();
        fake.beforeCall = (command) => {
            if (command === "AssumeRole") abort.abort();
        };
        const report = await smoke({ signal: abort.signal });
        assert.deepStrictEqual(statusOf(report), { 0: "pass", 1: "pass", 2: "pass", 3: "pass", 4: "pass", 5: "fail", 6: "skip" });
        assert.match(check(report, "5").detail, /interrupted/);
        assert.strictEqual(report.ok, false);
        assert.deepStrictEqual([...fake.users.keys()].sort(), ["alice@example.com", "smoke+concurrent-run-user@smoke.invalid"]);
        assert.deepStrictEqual([...fake.objects.keys()].sort(), ["cognito-test/ap-northeast-1:alice/data.txt", `${SMOKE_RECORDS_PREFIX}concurrent-run/0000-intent.json`]);
        assert.deepStrictEqual(fake.leftovers().identities, [], "no identity a login still reaches");
    });

    it("two concurrent runs do not collide", async () => {
        const [a, b] = await Promise.all([smoke(), smoke()]);
        assert.ok(a.ok && b.ok, `${formatReport(a)}\n${formatReport(b)}`);
        assert.notStrictEqual(a.runId, b.runId);
        assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
    });

    it("refuses stack outputs that lack what it needs, naming them, and recognises an older deployment", () => {
        assert.throws(() => parseOutputs({ stage: "deve" }), /stack outputs lack region, userPoolId, .*oidcRoleArn/);
        assert.throws(() => parseOutputs({ ...fake.outputs, oidcRoleArn: undefined, oidcReaderRoleArn: "arn" }), /lack oidcRoleArn \(it has oidcReaderRoleArn: deployed by an older version/);
        assert.throws(() => parseOutputs([]), /must be a JSON object/);
    });
});
