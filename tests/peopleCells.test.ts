/**
 * The people model's cells of issue 20, each shown to hold on the program and to fail, with the
 * chain, when the program grants it: account-wide log resource policies, users' groups, invitation
 * re-sends, passwords, email writes, and the Pulumi state and its lock. Then the model over
 * configurations the program accepts besides the shipped stack files, chosen to collide: every
 * promise still holds, or the program refuses the configuration.
 */
import * as assert from "assert";

import { accessReport, formatViolation } from "../analysis/access";
import { SynthesizedStack } from "../analysis/world";
import { ACCOUNT_ID, ProgramRun, runProgram, STAGES, stackRun } from "./harness";
import { editPolicy, editResource, violationsOf } from "./support/peopleWorld";

const allow = (action: string | string[], resource: string | string[]) => ({ Effect: "Allow", Action: action, Resource: resource });
const poolArn = (stacks: readonly ProgramRun[], stage: string) => stacks.find((s) => s.stack === stage)!.one("aws:cognito/userPool:UserPool").state.arn as string;
const has = (found: string[], start: string, step: string) => found.some((v) => v.startsWith(start) && v.includes(step));

describe("people-model cells of users, state and log policies", () => {
    let stacks: ProgramRun[];
    before(async () => {
        stacks = [];
        for (const stage of STAGES) stacks.push(await stackRun(stage));
    });

    it("a deploy role that may put a CloudWatch Logs resource policy rewrites every stage's log delivery", async () => {
        const broken = editPolicy(stacks, "deve", "ci-deploy-rights", "policy", (doc) => doc.Statement.push(allow("logs:PutResourcePolicy", "*")));
        const found = await violationsOf(broken, "deve deploy pipeline");
        assert.ok(has(found, "deve deploy pipeline × rewrite account log policies", "logs:PutResourcePolicy"), found.join("\n"));
    });

    it("a preview role that may create groups changes the users' groups", async () => {
        const broken = editPolicy(stacks, "stag", "ci-preview-rights", "policy", (doc) => doc.Statement.push(allow("cognito-idp:CreateGroup", poolArn(stacks, "stag"))));
        const found = await violationsOf(broken, "pull-request author");
        assert.ok(has(found, "pull-request author × stag: change users' groups", "cognito-idp:CreateGroup"), found.join("\n"));
    });

    it("a preview role that may create users re-sends an admin's invitation and is served the admin route", async () => {
        const broken = editPolicy(stacks, "stag", "ci-preview-rights", "policy", (doc) => doc.Statement.push(allow("cognito-idp:AdminCreateUser", poolArn(stacks, "stag"))));
        const found = await violationsOf(broken, "pull-request author");
        assert.ok(has(found, "pull-request author × stag: re-send an invitation", "cognito-idp:AdminCreateUser"), found.join("\n"));
        assert.ok(has(found, "pull-request author × stag: /admin as an admin", "MessageAction RESEND"), found.join("\n"));
    });

    it("a preview role that may set passwords takes over a user's folder", async () => {
        const broken = editPolicy(stacks, "stag", "ci-preview-rights", "policy", (doc) => doc.Statement.push(allow("cognito-idp:AdminSetUserPassword", poolArn(stacks, "stag"))));
        const found = await violationsOf(broken, "pull-request author");
        assert.ok(has(found, "pull-request author × stag: set a user's password", "cognito-idp:AdminSetUserPassword"), found.join("\n"));
        assert.ok(has(found, "pull-request author × stag: read A's file", "AdminSetUserPassword on the stag user pool: any user"), found.join("\n"));
    });

    it("an app client that lets users write their email, unverified, hands a stolen access token the account", async () => {
        const writable = editResource(stacks, "prod", "users-client", (inputs) => ({ ...inputs, writeAttributes: [] }));
        const found = await violationsOf(writable, "prod user A");
        assert.deepStrictEqual(found, [], "the pool still waits for the new email's verification");
        const unverified = editResource(writable, "prod", "users-pool", (inputs) => ({ ...inputs, userAttributeUpdateSettings: undefined }));
        const broken = await violationsOf(unverified, "prod user A");
        assert.ok(has(broken, "prod user A × prod: write a user's email", "UpdateUserAttributes email"), broken.join("\n"));
    });

    describe("with the Pulumi state in one S3 bucket for every stack", () => {
        let withState: ProgramRun[];
        before(async () => {
            withState = [];
            for (const stage of STAGES) withState.push(await runProgram(stage, { overrides: { "federated-access:ciStateBucket": "example-pulumi-state" } }));
        });

        it("only a stage's deploy pipeline writes its state or lock; no pull request writes any", async () => {
            const report = await accessReport(withState, ACCOUNT_ID);
            assert.deepStrictEqual(report.violations.map(formatViolation), []);
            const writers = report.rows.flatMap((row) => Object.entries(row.cells).filter(([c, v]) => c.endsWith("write the Pulumi state or lock") && v !== "Denied").map(([c]) => `${row.person} × ${c}`));
            assert.deepStrictEqual(writers.sort(), STAGES.map((s) => `${s} deploy pipeline × ${s}: write the Pulumi state or lock`).sort());
        });

        it("a deploy role whose state grant covers every stack writes another stage's state", async () => {
            const broken = editPolicy(
                withState,
                "deve",
                "ci-deploy-state",
                "policy",
                (doc) => {
                    const own = doc.Statement.find((s: any) => s.Sid === "StackState");
                    own.Resource = "arn:aws:s3:::example-pulumi-state/.pulumi/*";
                },
                "aws:iam/policy:Policy",
            );
            const found = await violationsOf(broken, "deve deploy pipeline");
            assert.ok(has(found, "deve deploy pipeline × prod: write the Pulumi state or lock", "s3:PutObject example-pulumi-state/.pulumi/stacks/federated-access/prod.json"), found.join("\n"));
        });
    });
});

describe("people model over adversarial configurations the program accepts", () => {
    let shipped: ProgramRun[];
    before(async () => {
        shipped = [];
        for (const stage of STAGES) shipped.push(await stackRun(stage));
    });

    /** The stacks with one stack run under these overrides, or the program's refusal. */
    async function withOverrides(stage: string, overrides: Record<string, string>): Promise<SynthesizedStack[] | Error> {
        try {
            const run = await runProgram(stage, { overrides });
            return shipped.map((s) => (s.stack === stage ? run : s));
        } catch (error) {
            return error as Error;
        }
    }

    /** `refused`: the program refuses it; `reported`: it accepts it and the plan reports broken promises whose chains match. */
    const cases: { stage: string; overrides: Record<string, string>; refused?: RegExp; reported?: RegExp }[] = [
        // The records' old folder, a prefix of it, and a prefix other folders start with.
        { stage: "deve", overrides: { "federated-access:userFilesPrefix": "smoke-runs" } },
        { stage: "prod", overrides: { "federated-access:userFilesPrefix": "s" } },
        // The records' folder itself.
        { stage: "prod", overrides: { "federated-access:userFilesPrefix": "smoke_runs" }, refused: /userFilesPrefix/ },
        // Every stage trusting the production caller role, and the development one in prod.
        { stage: "deve", overrides: { "federated-access:callerDevRoleName": "LambdaRoleProd" } },
        { stage: "prod", overrides: { "federated-access:callerProdRoleName": "LambdaRoleDeve" } },
        // A state bucket named like a stage's buckets: that stage's deploy role could rewrite it.
        { stage: "deve", overrides: { "federated-access:ciStateBucket": "federated-access-prod-state" }, refused: /ciStateBucket/ },
        // A deploy environment named like another stage's deploy environment: each stack is
        // validated alone, so the program accepts it; the plan reports the shared subject, and the
        // workflows' stage listing refuses it (tests/workflows.test.ts).
        { stage: "deve", overrides: { "federated-access:githubDeployEnvironment": "prod" }, reported: /^(deve deploy pipeline × prod|prod deploy pipeline × deve): .*environment:prod:ref/ },
        // Day-long IdTokens (the credential floor's figures): a demoted admin keeps the admin route
        // until the token issued before the demotion expires, past the promised two hours.
        { stage: "deve", overrides: { "federated-access:idTokenValidityMinutes": "1440" }, reported: /^deve demoted admin × deve: \/admin as an admin/ },
        { stage: "prod", overrides: { "federated-access:idTokenValidityMinutes": "60" } },
        { stage: "prod", overrides: { "federated-access:idTokenValidityMinutes": "1441" }, refused: /idTokenValidityMinutes/ },
        // A smoke job's environment: refused by the stack alone.
        { stage: "deve", overrides: { "federated-access:githubDeployEnvironment": "prod-smoke" }, refused: /githubDeployEnvironment' must be a GitHub environment name of at most 249 characters, not ending in -smoke/ },
        { stage: "deve", overrides: { "federated-access:githubDeployEnvironment": "smoke" }, refused: /not ending in -smoke/ },
    ];
    for (const { stage, overrides, refused, reported } of cases) {
        const what = Object.entries(overrides)
            .map(([k, v]) => `${k.split(":")[1]}: ${v}`)
            .join(", ");
        it(`${stage} with ${what}: ${refused ? "refused" : reported ? "reported by the plan" : "every promise holds"}`, async () => {
            const stacks = await withOverrides(stage, overrides);
            if (refused) {
                assert.ok(stacks instanceof Error, "the program accepted it");
                assert.match(stacks.message, refused);
                return;
            }
            assert.ok(!(stacks instanceof Error), `the program refused it: ${stacks instanceof Error ? stacks.message : ""}`);
            const found = (await accessReport(stacks, ACCOUNT_ID)).violations.map(formatViolation);
            if (reported) {
                assert.ok(found.length > 0 && found.every((v) => reported.test(v)), `expected only ${reported}:\n${found.join("\n")}`);
                return;
            }
            assert.deepStrictEqual(found, []);
        });
    }
});
