/**
 * Right after a deploy, AWS refuses for a while what it will soon allow. The smoke run waits
 * that out where success is expected, within a bound, and never where a refusal is expected.
 */
import * as assert from "assert";

import { formatReport, SmokeReport } from "../smoke/smoke";
import { FakeDeployment, NOTHING_LEFT, smokeAgainst, startFakeDeployment, statusOf } from "./support/fakeDeployment";

/** Steps whose expected outcome is a refusal: each must be tried exactly once. */
const EXPECTED_REFUSALS = [
    "reading B's file",
    "listing the bucket root",
    "AssumeRole by the other stages' caller role",
    "reading A's data.txt with the OIDC role",
];

const retriedSteps = (report: SmokeReport) => report.checks.flatMap((c) => c.retried.map((r) => ({ check: c.id, ...r })));

describe("smoke checks on a freshly deployed stage", () => {
    let fake: FakeDeployment;
    beforeEach(async () => {
        fake = await startFakeDeployment("deve");
    });
    afterEach(async () => {
        await fake.close();
    });
    const smoke = smokeAgainst(() => fake);

    it("waits out each part of the deployment settling, and reports every retry in the check and the JSON report", async () => {
        // Each part refuses its first calls, as on AWS right after a deploy; counted, not timed, so a
        // busy machine cannot reach a part only after it has settled.
        fake.settlingCalls = { identityPool: 4, roles: 4, apiGrants: 3, oidcProvider: 3 };
        const progress: string[] = [];
        const report = await smoke({ timing: { settleBudgetMs: 3000 }, onProgress: (line) => progress.push(line) });
        assert.strictEqual(report.ok, true, formatReport(report));
        const retried = retriedSteps(report);
        const on = (step: string) => retried.filter((r) => r.step === step).flatMap((r) => r.on);
        assert.ok(on("GetCredentialsForIdentity").includes("InvalidIdentityPoolConfigurationException"), JSON.stringify(retried));
        assert.ok(on("AssumeRoleWithWebIdentity").includes("InvalidIdentityToken"), JSON.stringify(retried));
        assert.ok(retried.some((r) => r.check === "0" && r.on.some((o) => /AccessDenied/.test(o))), "the first write waits for the role policy");
        assert.ok(retried.some((r) => r.step.startsWith("GET ") && r.on.some((o) => /^403/.test(o))), "API requests wait for the invoke grants");
        const setUp = report.checks[0];
        assert.match(setUp.detail, /\[retried: .*GetCredentialsForIdentity \d+ attempts \(InvalidIdentityPoolConfigurationException\)/);
        assert.ok(setUp.attempts > 4 + 4, `set-up made ${setUp.attempts} attempts`);
        assert.deepStrictEqual(fake.settlingCalls, { identityPool: 0, roles: 0, apiGrants: 0, oidcProvider: 0 }, "every refusal was met and waited out");
        const json = JSON.parse(JSON.stringify(report));
        assert.ok(json.checks.every((c: { attempts: unknown }) => typeof c.attempts === "number"));
        assert.deepStrictEqual(json.checks[0].retried.find((r: { step: string }) => r.step === "GetCredentialsForIdentity").on[0], "InvalidIdentityPoolConfigurationException");
        assert.ok(progress.some((line) => /waiting for the deployment to settle: GetCredentialsForIdentity got InvalidIdentityPoolConfigurationException/.test(line)));
        for (const step of EXPECTED_REFUSALS) {
            assert.ok(!retried.some((r) => r.step === step), `${step} must never be retried`);
        }
        assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
    });

    it("tries each refusal a check expects exactly once, even while positive steps are retrying", async () => {
        fake.settling = { roles: 200 };
        fake.deployedAt = Date.now();
        const seen: Record<string, number> = {};
        fake.beforeCall = (command, input) => {
            const key = `${command}:${input.Key ?? input.Prefix ?? input.RoleArn ?? ""}`;
            seen[key] = (seen[key] ?? 0) + 1;
        };
        const report = await smoke({ timing: { settleBudgetMs: 3000 } });
        assert.strictEqual(report.ok, true, formatReport(report));
        assert.strictEqual(seen[`ListObjectsV2:`], 1, "the bucket root listing is sent once");
        const dataReads = Object.entries(seen).filter(([k]) => k.startsWith("GetObject:cognito-test/") && k.endsWith("/data.txt"));
        assert.deepStrictEqual(dataReads.map(([, n]) => n), [1, 1], "B's file by A, A's file by the OIDC role: once each");
        for (const step of EXPECTED_REFUSALS) {
            assert.ok(!retriedSteps(report).some((r) => r.step === step), `${step} was retried`);
        }
    });

    it("gives a persistent refusal up at the step's bound, saying so, and does not hang", async () => {
        fake.settling = { identityPool: 60_000 };
        fake.deployedAt = Date.now();
        const started = Date.now();
        const report = await smoke({ timing: { settleBudgetMs: 300 } });
        assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
        assert.deepStrictEqual(statusOf(report), { 0: "fail", 1: "skip", 2: "skip", 3: "skip", 4: "skip", 5: "skip", 6: "skip" });
        assert.match(report.checks[0].detail, /GetCredentialsForIdentity: InvalidIdentityPoolConfigurationException: .*; still so after \d+ attempts in \d+ ms/);
        assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT, formatReport(report));
    });

    for (const [right, principal] of [
        ["lambda:InvokeFunction", "federated-access-deve-ci-smoke\\/smoke"],
        ["cognito-idp:AdminCreateUser", "federated-access-deve-smoke-users-fn\\/federated-access-deve-smoke-users"],
    ] as const) {
        it(`does not wait out a refusal no deployment settles: ${right} missing fails at once`, async () => {
            fake.revoked.add(right);
            const report = await smoke({ timing: { settleBudgetMs: 5000 } });
            assert.strictEqual(report.checks[0].status, "fail");
            assert.match(report.checks[0].detail, new RegExp(`AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role\\/${principal} is not authorized to perform: ${right}`));
            assert.deepStrictEqual(report.checks[0].retried, []);
            assert.ok(report.checks[0].ms < 1000, `set-up took ${report.checks[0].ms} ms`);
            assert.deepStrictEqual(fake.leftovers().users, [], formatReport(report));
            // Without the broker the run cannot confirm its users were never created: it keeps the record for a later run.
            if (right === "lambda:InvokeFunction") assert.ok(report.cleanup.record, formatReport(report));
            else assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT, formatReport(report));
        });
    }

    it("the fake grants the operator exactly the smoke role's rights", async () => {
        const idpModule = await import("@aws-sdk/client-cognito-identity-provider");
        const { DeleteIdentitiesCommand, CognitoIdentityClient } = await import("@aws-sdk/client-cognito-identity");
        const { GetObjectCommand, PutObjectCommand } = await import("@aws-sdk/client-s3");
        const { clients, outputs } = fake;
        const denied = async (what: string, call: () => Promise<unknown>) =>
            assert.rejects(call(), (e: Error) => /AccessDenied/.test(e.name) || assert.fail(`${what}: ${e.name}`), what);
        // The smoke role's own credentials, straight to the pool: refused, whatever the action.
        const operator = await (fake.clients.records.config.credentials as () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>)();
        const idp = new idpModule.CognitoIdentityProviderClient({ region: outputs.region, credentials: operator });
        const pool = { UserPoolId: outputs.userPoolId };
        await denied("password reset", () => idp.send(new idpModule.AdminSetUserPasswordCommand({ ...pool, Username: "x", Password: "y", Permanent: true })));
        await denied("attribute change", () => idp.send(new idpModule.AdminUpdateUserAttributesCommand({ ...pool, Username: "x", UserAttributes: [] })));
        await denied("creating a user", () => idp.send(new idpModule.AdminCreateUserCommand({ ...pool, Username: "x", MessageAction: "SUPPRESS" })));
        await denied("adding to admin", () => idp.send(new idpModule.AdminAddUserToGroupCommand({ ...pool, Username: "x", GroupName: "admin" })));
        await denied("deleting a user", () => idp.send(new idpModule.AdminDeleteUserCommand({ ...pool, Username: "x" })));
        await denied("listing users", () => idp.send(new idpModule.ListUsersCommand(pool)));
        await denied("deleting identities", () =>
            new CognitoIdentityClient({ region: outputs.region, credentials: operator }).send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [`${outputs.region}:x`] })),
        );
        await denied("the broker with other credentials", () =>
            fake.invokeBrokerAs(fake.callerDev)(JSON.stringify({ op: "listUsers" }), new AbortController().signal),
        );
        await denied("a user's folder", () => clients.records.send(new GetObjectCommand({ Bucket: outputs.userFilesBucket, Key: "cognito-test/x/data.txt" })));
        await denied("outside the records prefix", () => clients.records.send(new PutObjectCommand({ Bucket: outputs.userFilesBucket, Key: "other/x", Body: "x" })));
        await denied("another bucket", () => clients.records.send(new PutObjectCommand({ Bucket: "elsewhere", Key: "smoke-runs/x", Body: "x" })));
    });
});
