/**
 * Who may call the HTTP API, decided by the IAM policy engine over the synthesized trust
 * and identity policies of every stack.
 */
import * as assert from "assert";

import { Stage } from "../components/config/stage";
import { STAGES } from "./harness";
import { ACCOUNT_ID, isSecretInput, policiesOfRole, policyOf, ProgramRun, runProgram, stackRun } from "./harness";
import { decide, sessionOf } from "../analysis/engine";

/** The caller account a stack is configured with (the stack files, or a user's real value). */
const callerAccount = (run: ProgramRun) => run.config["federated-access:callerAccountId"];
const OTHER_ACCOUNT = "999988887777";

/** What the caller's account grants its own roles: assuming any ApiAllowByIamRole*. */
const CALLER_SIDE_POLICY = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/ApiAllowByIamRole*" }],
};

const roleNameOf = (arn: string) => arn.split("/").pop() as string;

describe("cross-account access to the HTTP API", () => {
    const runs = {} as Record<Stage, ProgramRun>;
    before(async () => {
        for (const stage of STAGES) {
            runs[stage] = await stackRun(stage);
        }
    });

    const assume = (run: ProgramRun, callerAccount: string, callerRole: string, context: Record<string, string> = {}) =>
        decide({
            principal: `arn:aws:sts::${callerAccount}:assumed-role/${callerRole}/caller-session`,
            action: "sts:AssumeRole",
            resource: run.outputs.stageAccessRoleArn,
            identityPolicies: [CALLER_SIDE_POLICY],
            resourcePolicy: policyOf(run.one("aws:iam/role:Role", "stage-access-role"), "assumeRolePolicy"),
            context,
        });

    const expectedCaller: Record<Stage, string> = { deve: "LambdaRoleDeve", stag: "LambdaRoleDeve", prod: "LambdaRoleProd" };

    for (const stage of STAGES) {
        describe(`stage ${stage}`, () => {
            it(`names its role ApiAllowByIamRole${stage[0].toUpperCase()}${stage.slice(1)}`, () => {
                assert.strictEqual(roleNameOf(runs[stage].outputs.stageAccessRoleArn), `ApiAllowByIamRole${stage[0].toUpperCase()}${stage.slice(1)}`);
            });

            for (const callerRole of ["LambdaRoleDeve", "LambdaRoleProd"]) {
                const allowed = expectedCaller[stage] === callerRole;
                it(`${allowed ? "lets" : "refuses"} ${callerRole} of the caller account assume its role`, async () => {
                    const decision = await assume(runs[stage], callerAccount(runs[stage]), callerRole);
                    assert.strictEqual(decision === "Allowed", allowed, decision);
                });
            }

            it("refuses the same role name in another account", async () => {
                assert.notStrictEqual(await assume(runs[stage], OTHER_ACCOUNT, expectedCaller[stage]), "Allowed");
            });

            it("refuses another role and the root of the caller account", async () => {
                assert.notStrictEqual(await assume(runs[stage], callerAccount(runs[stage]), "Admin"), "Allowed");
                const root = await decide({
                    principal: `arn:aws:iam::${callerAccount(runs[stage])}:root`,
                    action: "sts:AssumeRole",
                    resource: runs[stage].outputs.stageAccessRoleArn,
                    identityPolicies: [CALLER_SIDE_POLICY],
                    resourcePolicy: policyOf(runs[stage].one("aws:iam/role:Role", "stage-access-role"), "assumeRolePolicy"),
                });
                assert.notStrictEqual(root, "Allowed");
            });

            it("lets the assumed stage role invoke every route of its own API and nothing else", async () => {
                const run = runs[stage];
                const session = sessionOf(run.outputs.stageAccessRoleArn, "caller-session");
                const policies = policiesOfRole(run, roleNameOf(run.outputs.stageAccessRoleArn));
                const invoke = (resource: string, action = "execute-api:Invoke") =>
                    decide({ principal: session, action, resource, identityPolicies: policies });
                const apiArn = `arn:aws:execute-api:ap-northeast-1:${ACCOUNT_ID}:${run.outputs.apiId}`;
                for (const route of run.outputs.apiRoutes as string[]) {
                    const [method, path] = route.split(" ");
                    assert.strictEqual(await invoke(`${apiArn}/$default/${method}${path}`), "Allowed", route);
                }
                for (const other of STAGES.filter((s) => s !== stage)) {
                    const otherApi = `arn:aws:execute-api:ap-northeast-1:${ACCOUNT_ID}:${runs[other].outputs.apiId}`;
                    assert.notStrictEqual(await invoke(`${otherApi}/$default/GET/whoami`), "Allowed", `${other}'s API`);
                }
                assert.notStrictEqual(await invoke(`${apiArn}/$default/GET/whoami`, "execute-api:ManageConnections"), "Allowed");
                assert.notStrictEqual(
                    await invoke(`arn:aws:s3:::${run.outputs.userFilesBucket}/cognito-test/x/data.txt`, "s3:GetObject"),
                    "Allowed",
                );
            });

            describe("identity roles", () => {
                const invokeAs = async (group: "user" | "admin", route: string) => {
                    const run = runs[stage];
                    const roleArn = run.outputs[`${group}RoleArn`] as string;
                    const [method, path] = route.split(" ");
                    return decide({
                        principal: sessionOf(roleArn, "CognitoIdentityCredentials"),
                        action: "execute-api:Invoke",
                        resource: `arn:aws:execute-api:ap-northeast-1:${ACCOUNT_ID}:${run.outputs.apiId}/$default/${method}${path}`,
                        identityPolicies: policiesOfRole(run, roleNameOf(roleArn)),
                    });
                };
                it("the user role may invoke /read-file only", async () => {
                    assert.strictEqual(await invokeAs("user", "GET /read-file"), "Allowed");
                    assert.notStrictEqual(await invokeAs("user", "GET /admin"), "Allowed");
                    assert.notStrictEqual(await invokeAs("user", "GET /whoami"), "Allowed");
                });
                it("the admin role may invoke /read-file and /admin", async () => {
                    assert.strictEqual(await invokeAs("admin", "GET /read-file"), "Allowed");
                    assert.strictEqual(await invokeAs("admin", "GET /admin"), "Allowed");
                    assert.notStrictEqual(await invokeAs("admin", "GET /whoami"), "Allowed");
                });
            });
        });
    }

    describe("with an ExternalId configured", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram("stag", {
                overrides: { "federated-access:callerExternalId": "correct-horse-battery" },
                secretKeys: ["federated-access:callerExternalId"],
            });
        });

        it("admits the caller role presenting it", async () => {
            assert.strictEqual(await assume(run, callerAccount(run), "LambdaRoleDeve", { "sts:ExternalId": "correct-horse-battery" }), "Allowed");
        });
        it("refuses the caller role without it or with a wrong one", async () => {
            assert.notStrictEqual(await assume(run, callerAccount(run), "LambdaRoleDeve"), "Allowed");
            assert.notStrictEqual(await assume(run, callerAccount(run), "LambdaRoleDeve", { "sts:ExternalId": "wrong" }), "Allowed");
        });
        it("keeps the external id secret: in the trust policy's state and out of plain outputs", () => {
            assert.ok(isSecretInput(run.one("aws:iam/role:Role", "stage-access-role").inputs.assumeRolePolicy));
            assert.strictEqual(run.outputs.callerExternalIdRequired, true);
            assert.ok(!JSON.stringify(run.outputs).includes("correct-horse-battery"));
        });
    });
});
