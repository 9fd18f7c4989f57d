/**
 * The CI roles' rights against the program: every call the provider makes for every resource
 * a stack creates is allowed to the roles that need it (sufficiency), nothing is granted that no
 * call needs (necessity), prod data cannot be deleted, and what CI never changes is exactly the
 * administrator-managed list of docs/first-deploy.md.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { ADMINISTERED, apiGatewayDecision, CiRightsInput, ciRightsGaps, grantedActions, NOT_MADE } from "../analysis/ciRights";
import { PROVIDER_CALLS } from "../analysis/providerActions";
import { STAGES } from "./harness";
import { ACCOUNT_ID, policiesOfRole, ProgramRun, ROOT, stackRun } from "./harness";

const roleName = (arn: string) => arn.split("/").pop() as string;

function inputOf(run: ProgramRun, edit: (doc: any) => void = () => undefined): CiRightsInput {
    const role = (arn: string) => ({ arn, policies: policiesOfRole(run, roleName(arn)).map((doc) => structuredClone(doc)) });
    const deploy = role(run.outputs.ciDeployRoleArn);
    deploy.policies.forEach(edit);
    return {
        stack: run,
        account: ACCOUNT_ID,
        deploy,
        preview: run.outputs.ciPreviewRoleArn ? role(run.outputs.ciPreviewRoleArn) : undefined,
        deletes: run.stack !== "prod",
        boundaryArn: run.outputs.permissionsBoundaryArn,
    };
}

for (const stage of STAGES) {
    describe(`CI rights of ${stage} against the provider's calls`, () => {
        let run: ProgramRun;
        let input: CiRightsInput;
        let gaps: Awaited<ReturnType<typeof ciRightsGaps>>;
        before(async () => {
            run = await stackRun(stage);
            input = inputOf(run);
            gaps = await ciRightsGaps(input);
        });

        it("allow every call the provider makes for every resource the program creates (create, read, update, tag, and deletes where allowed)", async () => {
            const { missing, inventory } = gaps;
            assert.deepStrictEqual(missing, []);
            assert.ok(inventory.length > 80, `${inventory.length} role × action pairs checked`);
        });

        it("grant nothing no call needs", async () => {
            const needed = new Set(gaps.inventory);
            for (const [who, role] of [
                ["deploy", input.deploy],
                ...(input.preview ? [["preview", input.preview] as const] : []),
            ] as const) {
                const beyond = grantedActions(role.policies).filter((action) => !needed.has(`${who} ${action}`));
                assert.deepStrictEqual(beyond, [], `${who} grants actions no provider call needs`);
            }
        });

        it(stage === "prod" ? "cannot delete what holds data" : "may delete the stage's data resources (a destroy)", async () => {
            assert.deepStrictEqual(gaps.deletableData, []);
            if (stage !== "prod") {
                const pool = run.one("aws:cognito/userPool:UserPool");
                const deletes = await ciRightsGaps({ ...input, deletes: false });
                assert.ok(deletes.deletableData.some((d) => d.includes("cognito-idp:DeleteUserPool") && d.includes(pool.name)), deletes.deletableData.join("\n"));
            }
        });

        it("reads, but never changes, the administrator-managed resources", async () => {
            const { administered } = gaps;
            // GitHub's provider is an administrator's too, whether the stack creates it or names the account's.
            const github = run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").some((p) => p.name === "ci-github") ? ["ci-github"] : [];
            const preview = input.preview ? ["ci-preview", "ci-preview-rights"] : [];
            const expected = [...preview, "ci-deploy", "ci-smoke", "ci-deploy-rights", "ci-smoke-rights", "boundary-policy", ...github, "identities-roles"];
            for (const name of expected) {
                assert.ok(administered.some((a) => a.endsWith(` ${name}`)), `${name} is administrator-managed`);
            }
            assert.strictEqual(administered.some((a) => a.includes("audit")), stage === "prod", "the audit trail and its bucket, where there is one");
            assert.deepStrictEqual(gaps.administeredWritable, [], "the deploy role may change none of them");
        });
    });
}

describe("CI rights checks fail when a right goes missing or a grant grows", () => {
    let run: ProgramRun;
    before(async () => {
        run = await stackRun("deve");
    });

    it("names the call a missing action breaks, with the provider source", async () => {
        const input = inputOf(run, (doc) => {
            for (const st of doc.Statement) {
                if (Array.isArray(st.Action)) st.Action = st.Action.filter((a: string) => a !== "lambda:UpdateFunctionCode" && a !== "cognito-idp:UpdateUserPoolClient");
            }
        });
        const { missing } = await ciRightsGaps(input);
        assert.ok(missing.some((m) => m.startsWith("deploy update aws:lambda/function:Function read-file-fn: lambda:UpdateFunctionCode on arn:aws:lambda:") && m.includes("lambda/function.go")), missing.join("\n"));
        assert.ok(missing.some((m) => m.startsWith("deploy update aws:cognito/userPoolClient:UserPoolClient users-client: cognito-idp:UpdateUserPoolClient")), missing.join("\n"));
    });

    it("catches a right scoped to the wrong resource (another stage's API)", async () => {
        const input = inputOf(run, (doc) => {
            for (const st of doc.Statement) {
                if (st.Sid === "ManageStageApi") st.Resource = [].concat(st.Resource).map((r: string) => r.replace(run.outputs.apiId, "another-api"));
            }
        });
        const { missing } = await ciRightsGaps(input);
        assert.ok(missing.some((m) => m.startsWith("deploy create aws:apigatewayv2/route:Route") && m.includes("apigateway:POST")), missing.join("\n"));
    });

    it("flags a right to change an administrator-managed resource", async () => {
        const input = inputOf(run, (doc) => doc.Statement.push({ Effect: "Allow", Action: "cognito-identity:SetIdentityPoolRoles", Resource: "*" }));
        const { administeredWritable } = await ciRightsGaps(input);
        assert.ok(administeredWritable.includes("deploy may cognito-identity:SetIdentityPoolRoles aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment identities-roles (the identity pool's role mapping)"), administeredWritable.join("\n"));
    });

    it("flags an action granted beyond what the provider calls", async () => {
        const input = inputOf(run, (doc) => doc.Statement.push({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }));
        const { inventory } = await ciRightsGaps(input);
        assert.ok(grantedActions(input.deploy.policies).filter((a) => !inventory.includes(`deploy ${a}`)).includes("lambda:InvokeFunction"));
    });

    it("refuses a resource type with no known provider calls", async () => {
        const extra = { type: "aws:sqs/queue:Queue", name: "surprise", id: "q", inputs: {}, state: {} };
        const { missing } = await ciRightsGaps({ ...inputOf(run), stack: { ...run, resources: [...run.resources, extra] } });
        assert.ok(missing.includes("aws:sqs/queue:Queue (surprise): no provider calls are known for this resource type: add them to analysis/providerActions.ts and the CI policies"), missing.join("\n"));
    });

    it("lists only calls that exist, each with a reason, as calls the program never causes", () => {
        for (const [key, reason] of Object.entries(NOT_MADE)) {
            const [type, action] = key.split(" ");
            const calls = PROVIDER_CALLS[type];
            assert.ok(calls, key);
            assert.ok(["create", "read", "update", "delete", "tag"].some((phase) => (calls as any)[phase].some((c: { action: string }) => c.action === action)), key);
            assert.ok(reason.length > 10, key);
        }
    });
});

describe("the deploy role's API Gateway guards, on the policy the program writes", () => {
    let deve: ProgramRun;
    let prod: ProgramRun;
    let policies: object[];
    let region: string;
    before(async () => {
        deve = await stackRun("deve");
        prod = await stackRun("prod");
        policies = policiesOfRole(deve, roleName(deve.outputs.ciDeployRoleArn));
        region = String(deve.outputs.region);
    });
    const tags = (run: ProgramRun) => {
        const t = run.one("aws:apigatewayv2/api:Api").inputs.tags as Record<string, string>;
        return Object.fromEntries(Object.entries(t).map(([k, v]) => [`aws:RequestTag/${k}`, v]));
    };

    it("refuses a quick-create API or an API update whose route is not IAM-authorized", () => {
        const apis = `arn:aws:apigateway:${region}::/apis`;
        const api = `${apis}/${deve.outputs.apiId}`;
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:POST", apis, { ...tags(deve), "apigateway:Request/RouteAuthorizationType": ["NONE"] }), "Denied");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:POST", apis, { ...tags(deve), "apigateway:Request/RouteAuthorizationType": ["AWS_IAM"] }), "Allowed");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:POST", apis, tags(deve)), "Allowed", "an API created with no route");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:PATCH", api, { "apigateway:Request/RouteAuthorizationType": ["JWT"] }), "Denied");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:PATCH", `${api}/routes/r1`, { "apigateway:Request/RouteAuthorizationType": ["AWS_IAM", "NONE"] }), "Denied");
    });

    it("keeps the stage's access logs in the stage's own log groups", () => {
        const stage = `arn:aws:apigateway:${region}::/apis/${deve.outputs.apiId}/stages/$default`;
        const destination = (run: ProgramRun) => String((run.one("aws:apigatewayv2/stage:Stage").inputs.accessLogSettings as { destinationArn: string }).destinationArn);
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:PATCH", stage, { "apigateway:Request/AccessLoggingDestination": destination(deve) }), "Allowed");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:PATCH", stage, { "apigateway:Request/AccessLoggingDestination": destination(prod) }), "Denied");
        assert.strictEqual(apiGatewayDecision(policies, "apigateway:PATCH", stage, {}), "Allowed", "an update that leaves the logs alone");
    });
});

describe("API Gateway decisions (the catalogue cannot decide HTTP API paths)", () => {
    const api = "arn:aws:apigateway:ap-northeast-1::/apis/abc123";
    const doc = {
        Statement: [
            { Effect: "Allow", Action: ["apigateway:GET", "apigateway:POST", "apigateway:PATCH"], Resource: [api, `${api}/*`] },
            { Effect: "Deny", Action: ["apigateway:POST", "apigateway:PATCH"], Resource: `${api}/routes*`, Condition: { StringNotEqualsIfExists: { "apigateway:Request/RouteAuthorizationType": "AWS_IAM" } } },
        ],
    };
    it("allows the stage's own API, and nothing of another", () => {
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:PATCH", `${api}/integrations/i1`, {}), "Allowed");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:PATCH", "arn:aws:apigateway:ap-northeast-1::/apis/other/integrations/i1", {}), "Denied");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:DELETE", api, {}), "Denied");
    });
    it("refuses a route that is not IAM-authorized, and allows one that is", () => {
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:POST", `${api}/routes`, { "apigateway:Request/RouteAuthorizationType": "NONE" }), "Denied");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:POST", `${api}/routes`, { "apigateway:Request/RouteAuthorizationType": "AWS_IAM" }), "Allowed");
    });
    it("refuses to judge an operator it does not evaluate", () => {
        const other = { Statement: [{ Effect: "Allow", Action: "apigateway:GET", Resource: "*", Condition: { ArnLike: { "aws:SourceArn": "x" } } }] };
        assert.throws(() => apiGatewayDecision([other], "apigateway:GET", api, {}), /operator ArnLike is not evaluated here/);
    });
});

describe("the first-deploy guide", () => {
    it("lists exactly the administrator-managed resources the checks exempt", () => {
        const guide = fs.readFileSync(path.join(ROOT, "docs", "first-deploy.md"), "utf8");
        const section = guide.split("### Administrator-managed resources")[1].split("\n## ")[0];
        const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| resource") && !l.startsWith("| ---"));
        const why = rows.map((row) => row.split(" | ")[1].replace(/ \|$/, "").replace(/`/g, "").trim());
        assert.deepStrictEqual(why, ADMINISTERED.map((a) => a.why));
    });
});
