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
import { decide } from "../analysis/engine";
import { PROVIDER_CALLS } from "../analysis/providerActions";
import { ciDeployPolicy, StageScope } from "../components/ciPolicies";
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
        preview: role(run.outputs.ciPreviewRoleArn),
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
                ["preview", input.preview],
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
            const expected = ["ci-preview", "ci-deploy", "ci-smoke", "ci-preview-rights", "ci-deploy-rights", "ci-smoke-rights", "boundary-policy", ...github, "identities-roles"];
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

// The deploy policy built directly, under the IAM policy engine: the rest of the suite reads it
// through one program run per process, which a mutation run cannot repeat per mutant.
const ACCOUNT = "111122223333";
const REGION = "ap-northeast-1";

describe("the deploy role's limits, built directly", () => {
    const scope: StageScope = {
        accountId: ACCOUNT,
        region: REGION,
        project: "federated-access",
        stage: "deve",
        namePrefix: "federated-access-deve",
        workloadRolePath: "/federated-access/deve/",
        extraRoleNames: ["ApiAllowByIamRoleDeve"],
        ciRolePath: "/federated-access-ci/deve/",
        boundaryArn: `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/deve/federated-access-deve-boundary`,
        bucketPrefix: "federated-access-deve-",
        auditBucketPrefix: "federated-access-deve-audit-logs-",
        logGroupPrefix: "/federated-access/deve/",
        apiId: "api123",
        userPoolId: `${REGION}_Pool1`,
        identityPoolId: `${REGION}:11111111-2222-4333-8444-555555555555`,
        trailName: "federated-access-deve-audit",
        githubProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        allowDeletes: true,
    };
    const deploy = () => ciDeployPolicy(scope);
    const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        decide({
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/federated-access-deve-deploy/ci`,
            action,
            resource,
            resourceAccount: ACCOUNT,
            identityPolicies: [deploy()],
            context: { "aws:RequestedRegion": REGION, ...context },
        });
    const role = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:role${pathAndName}`;
    const workloadRole = role("/federated-access/deve/federated-access-deve-read-file-fn");

    it("creates and changes workload roles only with the stage's boundary", async () => {
        for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]) {
            assert.strictEqual(await ask(action, workloadRole, { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", action);
            assert.notStrictEqual(await ask(action, workloadRole, { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` }), "Allowed", `${action} with another boundary`);
            assert.notStrictEqual(await ask(action, workloadRole, {}), "Allowed", `${action} without a boundary`);
            assert.notStrictEqual(await ask(action, role("/federated-access/prod/federated-access-prod-read-file-fn"), { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", `${action} on another stage's role`);
            assert.notStrictEqual(await ask(action, role("/federated-access-ci/deve/federated-access-deve-deploy"), { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", `${action} on a CI role`);
        }
    });

    it("passes only the stage's function execution roles, and only to Lambda", async () => {
        assert.strictEqual(await ask("iam:PassRole", workloadRole, { "iam:PassedToService": "lambda.amazonaws.com" }), "Allowed");
        assert.notStrictEqual(await ask("iam:PassRole", workloadRole, { "iam:PassedToService": "ec2.amazonaws.com" }), "Allowed");
        assert.notStrictEqual(await ask("iam:PassRole", role("/federated-access/deve/identities-admin"), { "iam:PassedToService": "lambda.amazonaws.com" }), "Allowed");
    });

    it("can never remove or rewrite a permissions boundary", async () => {
        assert.strictEqual(await ask("iam:DeleteRolePermissionsBoundary", workloadRole), "ExplicitlyDenied");
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) {
            assert.strictEqual(await ask(action, scope.boundaryArn), "ExplicitlyDenied", action);
        }
    });

    it("can never move a resource into or out of a stage by its tags", async () => {
        const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-deve-read-file`;
        for (const [action, resource] of [
            ["iam:TagRole", workloadRole],
            ["lambda:TagResource", fn],
        ] as const) {
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["stage"], "aws:RequestTag/stage": "prod" }), "ExplicitlyDenied", `${action} stage=prod`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["project"], "aws:RequestTag/project": "another" }), "ExplicitlyDenied", `${action} project=another`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["stage"], "aws:RequestTag/stage": "deve" }), "Allowed", `${action} stage=deve`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["project"], "aws:RequestTag/project": "federated-access" }), "Allowed", `${action} project kept`);
        }
        for (const key of ["stage", "project"]) {
            assert.strictEqual(await ask("iam:UntagRole", workloadRole, { "aws:TagKeys": [key] }), "ExplicitlyDenied", `untag ${key}`);
        }
    });

    it("cannot stop, change or delete any trail of the account", async () => {
        for (const trail of [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${scope.trailName}`, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/organization-trail`]) {
            for (const action of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors", "cloudtrail:RemoveTags"]) {
                assert.strictEqual(await ask(action, trail), "ExplicitlyDenied", `${action} ${trail}`);
            }
        }
    });

    it("cannot change the audit log bucket or its objects, though its name starts like the stage's buckets", async () => {
        const audit = "arn:aws:s3:::federated-access-deve-audit-logs-1";
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"]) {
            assert.strictEqual(await ask(action, "arn:aws:s3:::federated-access-deve-user-files-1"), "Allowed", `${action} on a stage bucket`);
            assert.strictEqual(await ask(action, audit), "ExplicitlyDenied", `${action} on the audit bucket`);
        }
        assert.strictEqual(await ask("s3:DeleteObjectVersion", `${audit}/AWSLogs/${ACCOUNT}/x.json.gz`), "ExplicitlyDenied");
        assert.strictEqual(await ask("s3:GetBucketPolicy", audit), "Allowed", "its configuration stays readable for a refresh");
    });

    it("creates user pools only tagged for the stage, and manages only the stage's", async () => {
        const tags = (kind: string, stage: string, project = "federated-access") => ({ [`aws:${kind}/stage`]: stage, [`aws:${kind}/project`]: project });
        assert.strictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "deve")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "prod")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "deve", "another")), "Allowed");
        const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${scope.userPoolId}`;
        assert.strictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "deve")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "prod")), "Allowed", "the pool retagged as another stage's");
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "deve", "another")), "Allowed", "the pool retagged as another project's");
        const other = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_Other`;
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", other, tags("ResourceTag", "deve")), "Allowed", "another pool tagged as the stage's");
        const identityPool = `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${scope.identityPoolId}`;
        assert.strictEqual(await ask("cognito-identity:UpdateIdentityPool", identityPool, tags("ResourceTag", "deve")), "Allowed");
        assert.notStrictEqual(
            await ask("cognito-identity:UpdateIdentityPool", `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${REGION}:99999999-2222-4333-8444-555555555555`, tags("ResourceTag", "deve")),
            "Allowed",
            "another identity pool tagged as the stage's",
        );
    });

    it("describes log groups in the stage's region only", async () => {
        assert.strictEqual(await ask("logs:DescribeLogGroups", "*"), "Allowed");
        assert.notStrictEqual(await ask("logs:DescribeLogGroups", "*", { "aws:RequestedRegion": "us-east-1" }), "Allowed");
    });

    it("cannot create or change a route that is not IAM-authorized", () => {
        const routes = `arn:aws:apigateway:${REGION}::/apis/${scope.apiId}/routes`;
        const decideRoute = (action: string, resource: string, authorization?: string) =>
            apiGatewayDecision([deploy()], action, resource, {
                "aws:RequestedRegion": REGION,
                ...(authorization === undefined ? {} : { "apigateway:Request/RouteAuthorizationType": authorization }),
            });
        for (const [action, resource] of [
            ["apigateway:POST", routes],
            ["apigateway:PATCH", `${routes}/route1`],
        ] as const) {
            assert.strictEqual(decideRoute(action, resource, "AWS_IAM"), "Allowed", action);
            for (const authorization of ["NONE", "JWT", "CUSTOM"]) {
                assert.strictEqual(decideRoute(action, resource, authorization), "Denied", `${action} ${authorization}`);
            }
        }
        // A route created without a type would get API Gateway's default; an update that names none (the
        // provider sends the type only when it changes) leaves the route's type as it is.
        assert.strictEqual(decideRoute("apigateway:POST", routes, undefined), "Denied", "a route created with no type");
        assert.strictEqual(decideRoute("apigateway:PATCH", `${routes}/route1`, undefined), "Allowed", "an update of the target or operation name");
        assert.strictEqual(decideRoute("apigateway:POST", `arn:aws:apigateway:${REGION}::/apis/${scope.apiId}/integrations`), "Allowed", "the deny is scoped to routes");
        assert.strictEqual(decideRoute("apigateway:POST", `arn:aws:apigateway:${REGION}::/apis/otherapi/routes`, "AWS_IAM"), "Denied", "another API");
    });
});
