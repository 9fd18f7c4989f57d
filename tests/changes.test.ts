/**
 * The change review (`npm run plan -- --base <ref>`, analysis/changes.ts): for changes a team
 * makes on day two, what is created, updated, replaced or deleted, the data put at risk, the
 * access gained and lost, and whether the stage's deploy role (as deployed before the change)
 * can apply it or an administrator must.
 */
import * as assert from "assert";

import { AccessReport, accessReport } from "../analysis/access";
import { resourceChanges, stackChange, StackChange } from "../analysis/changes";
import { applierOf } from "../tools/plan";
import { ACCOUNT_ID, ProgramRun, RecordedResource, runProgram, stackRun, STAGES } from "./harness";

const PROJECT = "federated-access";

/** Every stack as shipped, and the people model over them. */
let shipped: ProgramRun[];
let shippedReport: AccessReport;

/** Reviews a change of one stack's configuration, every other stack as shipped. */
async function reviewConfig(stage: string, overrides: Record<string, string | undefined>, options: { secretKeys?: string[]; base?: ProgramRun } = {}): Promise<StackChange> {
    const head = await runProgram(stage, { overrides, secretKeys: options.secretKeys });
    const base = options.base ?? shipped.find((r) => r.stack === stage)!;
    const headRuns = shipped.map((r) => (r.stack === stage ? head : r));
    const baseRuns = shipped.map((r) => (r.stack === stage ? base : r));
    const [before, after] = [options.base ? await accessReport(baseRuns, ACCOUNT_ID) : shippedReport, await accessReport(headRuns, ACCOUNT_ID)];
    return stackChange(stage, base, head, { base: before, head: after }, applierOf(base, head));
}

/** A copy of a run with some resources' inputs edited, as a change of the program would give. */
function edited(run: ProgramRun, edit: (r: RecordedResource) => RecordedResource | RecordedResource[]): ProgramRun {
    const resources = run.resources.flatMap((r) => edit({ ...r }));
    return { ...run, resources, ofType: (type) => resources.filter((r) => r.type === type), one: run.one };
}

async function reviewEdit(stage: string, edit: (r: RecordedResource) => RecordedResource | RecordedResource[]): Promise<StackChange> {
    const base = shipped.find((r) => r.stack === stage)!;
    const head = edited(base, edit);
    return stackChange(stage, base, head, { base: shippedReport, head: shippedReport }, applierOf(base, head));
}

const actions = (change: StackChange) => change.resources.map((r) => `${r.action} ${r.type} ${r.name}`).sort();

describe("change review", function () {
    this.timeout(180_000);
    before(async () => {
        shipped = [];
        for (const stage of STAGES) shipped.push(await stackRun(stage));
        shippedReport = await accessReport(shipped, ACCOUNT_ID);
    });

    it("a day-long IdToken: CI applies it, and the review names the admin route a demoted admin keeps longer", async () => {
        const change = await reviewConfig("prod", { [`${PROJECT}:idTokenValidityMinutes`]: "1440" });
        assert.deepStrictEqual(actions(change), ["update aws:cognito/userPoolClient:UserPoolClient users-client"]);
        assert.deepStrictEqual(change.needsAdministrator, []);
        assert.deepStrictEqual(change.access.gained, []);
        assert.deepStrictEqual(change.access.lost, []);
        const demoted = change.access.changed.filter((cell) => cell.startsWith("prod demoted admin × prod: /admin as an admin"));
        assert.strictEqual(demoted.length, 1, change.access.changed.join("\n"));
        assert.match(demoted[0], /≤ 60 \+ 60 min.* → Allowed .*≤ 1440 \+ 60 min/);
    });

    it("a harmless change (log retention) updates the log groups only, and CI applies it", async () => {
        const change = await reviewConfig("deve", { [`${PROJECT}:logRetentionDays`]: "60" });
        assert.ok(change.resources.length >= 3, actions(change).join("\n"));
        assert.deepStrictEqual([...new Set(change.resources.map((r) => `${r.action} ${r.type}`))], ["update aws:cloudwatch/logGroup:LogGroup"]);
        assert.deepStrictEqual(change.dataAtRisk, []);
        assert.deepStrictEqual(change.access, { gained: [], lost: [], changed: [] });
        assert.deepStrictEqual(change.needsAdministrator, []);
    });

    it("a new user files prefix in prod strands every user's files and needs an administrator", async () => {
        const change = await reviewConfig("prod", { [`${PROJECT}:userFilesPrefix`]: "files" });
        assert.ok(
            change.dataAtRisk.some((line) => /^userFilesPrefix 'cognito-test' → 'files': every user's existing files stay under cognito-test\//.test(line)),
            change.dataAtRisk.join("\n"),
        );
        // The boundary names the prefix, and only an administrator changes it.
        const admin = change.needsAdministrator.map((n) => n.resource);
        assert.ok(admin.some((r) => r.startsWith("aws:iam/policy:Policy boundary-policy")), admin.join("\n"));
        assert.ok(change.resources.some((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.action === "update"), "the identity roles' storage policies follow the prefix");
    });

    it("renaming the identity pool in prod replaces it: data at risk, protected, and an administrator's", async () => {
        const change = await reviewEdit("prod", (r) => (r.type === "aws:cognito/identityPool:IdentityPool" ? { ...r, inputs: { ...r.inputs, identityPoolName: "renamed" } } : r));
        assert.ok(actions(change).includes("replace aws:cognito/identityPool:IdentityPool identities-pool"), actions(change).join("\n"));
        // The role mapping names the pool: its replacement follows.
        assert.ok(actions(change).includes("replace aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment identities-roles"), actions(change).join("\n"));
        const pool = change.dataAtRisk.find((line) => line.startsWith("replace aws:cognito/identityPool:IdentityPool identities-pool (identityPoolName changed)"));
        assert.ok(pool, change.dataAtRisk.join("\n"));
        assert.match(pool, /name every user's folder/);
        assert.match(pool, /it is protected, so `pulumi up` stops at it/);
        assert.ok(change.needsAdministrator.some((n) => n.resource.startsWith("aws:cognito/identityPool:IdentityPool identities-pool (replace)") && n.calls.some((c) => c.startsWith("cognito-identity:DeleteIdentityPool"))));
    });

    it("an access change (a caller role name) shows the cells gained and lost, and needs an administrator for the smoke role", async () => {
        const change = await reviewConfig("stag", { [`${PROJECT}:callerDevRoleName`]: "LambdaRoleStaging" });
        assert.ok(change.access.gained.some((cell) => cell.includes("LambdaRoleStaging") && cell.includes("stag: ")), change.access.gained.join("\n"));
        assert.ok(change.access.lost.some((cell) => cell.includes("LambdaRoleDeve") && cell.includes("stag: ")), change.access.lost.join("\n"));
        assert.ok(change.resources.some((r) => r.type === "aws:iam/role:Role" && r.name === "stage-access-role" && r.action === "update"));
        assert.ok(change.needsAdministrator.some((n) => /ci-smoke-rights/.test(n.resource)), change.needsAdministrator.map((n) => n.resource).join("\n"));
    });

    it("a route target change (its integration replaced) is applied by CI: an update names no authorization type", async () => {
        const change = await reviewEdit("deve", (r) =>
            r.type === "aws:apigatewayv2/route:Route" && r.name === "api-get-read-file-route" ? { ...r, inputs: { ...r.inputs, target: "integrations/newintegration" } } : r,
        );
        assert.deepStrictEqual(actions(change), ["update aws:apigatewayv2/route:Route api-get-read-file-route"]);
        assert.deepStrictEqual(change.needsAdministrator, []);
        // Naming a type other than IAM on the same route is refused.
        const opened = await reviewEdit("deve", (r) =>
            r.type === "aws:apigatewayv2/route:Route" && r.name === "api-get-read-file-route" ? { ...r, inputs: { ...r.inputs, authorizationType: "NONE" } } : r,
        );
        assert.ok(opened.needsAdministrator[0]?.calls.some((c) => c.startsWith("apigateway:PATCH")), JSON.stringify(opened.needsAdministrator));
    });

    it("a new route, and tag changes on the API and its stage, are applied by CI", async () => {
        const route = await reviewEdit("deve", (r) =>
            r.type === "aws:apigatewayv2/route:Route" && r.name === "api-get-whoami-route" ? [r, { ...r, name: "api-get-status-route", inputs: { ...r.inputs, routeKey: "GET /status" } }] : r,
        );
        assert.deepStrictEqual(actions(route), ["create aws:apigatewayv2/route:Route api-get-status-route"]);
        assert.deepStrictEqual(route.needsAdministrator, []);
        const tags = await reviewEdit("deve", (r) =>
            r.type === "aws:apigatewayv2/api:Api" || r.type === "aws:apigatewayv2/stage:Stage" ? { ...r, inputs: { ...r.inputs, tags: { ...r.inputs.tags, team: "platform" } } } : r,
        );
        assert.deepStrictEqual(actions(tags), ["update aws:apigatewayv2/api:Api api-api", "update aws:apigatewayv2/stage:Stage api-stage"].sort());
        assert.deepStrictEqual(tags.needsAdministrator, []);
    });

    for (const [what, stage, overrides] of [
        ["throttling", "prod", { [`${PROJECT}:apiThrottleRateLimit`]: "300", [`${PROJECT}:apiThrottleBurstLimit`]: "600" }],
        ["MFA required", "stag", { [`${PROJECT}:mfa`]: "ON" }],
        ["retention in prod", "prod", { [`${PROJECT}:logRetentionDays`]: "731" }],
    ] as const) {
        it(`${what} is applied by CI, with no data at risk`, async () => {
            const change = await reviewConfig(stage, overrides);
            assert.ok(change.resources.length > 0);
            assert.deepStrictEqual(change.resources.filter((r) => r.action !== "update"), []);
            assert.deepStrictEqual(change.dataAtRisk, []);
            assert.deepStrictEqual(change.needsAdministrator, []);
        });
    }

    it("an ExternalId rotation updates the stage role's trust, which CI applies", async () => {
        const key = `${PROJECT}:callerExternalId`;
        const base = await runProgram("stag", { overrides: { [key]: "first-external-id" }, secretKeys: [key] });
        const change = await reviewConfig("stag", { [key]: "second-external-id" }, { secretKeys: [key], base });
        assert.deepStrictEqual(actions(change), ["update aws:iam/role:Role stage-access-role"]);
        assert.deepStrictEqual(change.access, { gained: [], lost: [], changed: [] });
        assert.deepStrictEqual(change.needsAdministrator, []);
    });

    it("matches resources by type and name, and reports a stack added or removed in full", () => {
        const deve = shipped[0];
        assert.deepStrictEqual(resourceChanges(deve, deve), []);
        const custom = deve.resources.filter((r) => r.custom).length;
        assert.strictEqual(resourceChanges(undefined, deve).filter((c) => c.action === "create").length, custom);
        assert.strictEqual(resourceChanges(deve, undefined).filter((c) => c.action === "delete").length, custom);
    });
});
