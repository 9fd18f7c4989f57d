/**
 * The HTTP API each stack builds, on the mock runtime, and the HttpApi component's refusals.
 */
import * as assert from "assert";

import { HandlerFunction } from "../components/api/handlerFunction";
import { HttpApi } from "../components/api/httpApi";
import { callerRoleFor, StageAccessRole } from "../components/api/stageAccessRole";
import { TIERS } from "../components/config/stage";
import { routePath, ROUTES } from "../lambdas/contract";
import { createAdminHandler, createWhoamiHandler } from "../lambdas/whoami";
import { policyOf, ProgramRun, promiseOf, runProgram, stackConfig, stackRun, STAGES } from "./harness";

const T = {
    route: "aws:apigatewayv2/route:Route",
    integration: "aws:apigatewayv2/integration:Integration",
    stage: "aws:apigatewayv2/stage:Stage",
    permission: "aws:lambda/permission:Permission",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    trail: "aws:cloudtrail/trail:Trail",
};

for (const stage of STAGES) {
    describe(`HTTP API of ${stage}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await stackRun(stage);
        });

        it("has the three routes, every one AWS_IAM-authorized", () => {
            const routes = run.ofType(T.route);
            assert.deepStrictEqual(routes.map((r) => r.inputs.routeKey).sort(), ["GET /admin", "GET /read-file", "GET /whoami"]);
            for (const route of routes) {
                assert.strictEqual(route.inputs.authorizationType, "AWS_IAM", route.inputs.routeKey);
            }
        });

        it("builds exactly the routes lambdas/contract.ts names, which the smoke checks and the analysis call", () => {
            assert.deepStrictEqual(run.ofType(T.route).map((r) => r.inputs.routeKey).sort(), Object.values(ROUTES).sort());
            assert.deepStrictEqual(Object.values(ROUTES).map(routePath), ["/read-file", "/whoami", "/admin"]);
        });

        it("integrates each route with its Lambda as a payload 2.0 proxy", () => {
            for (const integration of run.ofType(T.integration)) {
                assert.strictEqual(integration.inputs.integrationType, "AWS_PROXY");
                assert.strictEqual(integration.inputs.payloadFormatVersion, "2.0");
            }
            const readFile = run.one(T.route, "api-get-read-file-route");
            const integration = run.one(T.integration, "api-get-read-file-integration");
            assert.strictEqual(readFile.inputs.target, `integrations/${integration.id}`);
            assert.strictEqual(integration.inputs.integrationUri, run.one("aws:lambda/function:Function", "read-file-fn").state.arn);
        });

        it("logs every request as JSON naming the caller, with retention", () => {
            const apiStage = run.one(T.stage).inputs;
            const logs = run.one(T.logGroup, "api-access-logs");
            assert.strictEqual(apiStage.accessLogSettings.destinationArn, logs.state.arn);
            const format = JSON.parse(apiStage.accessLogSettings.format);
            assert.strictEqual(format.callerAccountId, "$context.identity.accountId");
            assert.strictEqual(format.callerArn, "$context.identity.userArn");
            assert.strictEqual(format.status, "$context.status");
            assert.ok(logs.inputs.retentionInDays > 0);
        });

        it("throttles every route by default as configured", () => {
            const settings = run.one(T.stage).inputs.defaultRouteSettings;
            // As the stack file says (Pulumi.yaml's defaults filled in): every stage, shipped or added.
            const configured = ["apiThrottleRateLimit", "apiThrottleBurstLimit"].map((key) => Number(run.config[`federated-access:${key}`]));
            assert.deepStrictEqual([settings.throttlingRateLimit, settings.throttlingBurstLimit], configured);
        });

        it("lets API Gateway invoke each function only through its own route of this API", () => {
            const executionArn = run.one("aws:apigatewayv2/api:Api").state.executionArn;
            const permissions = run.ofType(T.permission);
            assert.strictEqual(permissions.length, 3);
            for (const permission of permissions) {
                assert.strictEqual(permission.inputs.principal, "apigateway.amazonaws.com");
                assert.strictEqual(permission.inputs.action, "lambda:InvokeFunction");
            }
            assert.strictEqual(run.one(T.permission, "api-get-read-file-permission").inputs.sourceArn, `${executionArn}/*/GET/read-file`);
            assert.strictEqual(run.one(T.permission, "api-get-admin-permission").inputs.sourceArn, `${executionArn}/*/GET/admin`);
        });

        it("exports the endpoint, routes and the stage role", () => {
            assert.strictEqual(new URL(run.outputs.apiEndpoint).hostname.split(".").slice(1).join("."), `execute-api.${run.config["aws:region"]}.amazonaws.com`);
            assert.match(run.outputs.stageAccessRoleArn, /:role\/ApiAllowByIamRole/);
            assert.strictEqual(
                run.outputs.stageAccessTrustedCaller,
                `arn:aws:iam::${run.config["federated-access:callerAccountId"]}:role/${run.config[`federated-access:${run.config["federated-access:tier"] === "production" ? "callerProdRoleName" : "callerDevRoleName"}`]}`,
            );
        });

        if (stackConfig(stage)["federated-access:auditTrail"] === "true") {
            it("records management events and user-file data events in a retained, private log bucket", () => {
                const trailResource = run.one(T.trail);
                const trail = trailResource.inputs;
                assert.strictEqual(trail.name, `federated-access-${stage}-audit`);
                assert.strictEqual(trail.enableLogging, true);
                assert.strictEqual(trail.enableLogFileValidation, true);
                assert.strictEqual(trail.isMultiRegionTrail, true);
                const [management, data] = trail.advancedEventSelectors;
                assert.deepStrictEqual(management.fieldSelectors, [{ field: "eventCategory", equals: ["Management"] }]);
                assert.deepStrictEqual(data.fieldSelectors, [
                    { field: "eventCategory", equals: ["Data"] },
                    { field: "resources.type", equals: ["AWS::S3::Object"] },
                    { field: "resources.ARN", startsWiths: [`arn:aws:s3:::${run.outputs.userFilesBucket}/`] },
                ]);
                const logBucket = run.one("aws:s3/bucket:Bucket", "audit-logs-bucket");
                assert.strictEqual(trail.s3BucketName, logBucket.id);
                assert.strictEqual(logBucket.inputs.forceDestroy, false);
                assert.deepStrictEqual([logBucket.options.protect, logBucket.options.retainOnDelete], [true, true], "the audit logs outlive the stack");
                // CloudTrail checks the bucket policy when the trail is created: the trail waits for it.
                const policy = run.one("aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy");
                assert.ok(trailResource.options.dependsOn.some((urn) => urn.endsWith(`::${policy.name}`)), trailResource.options.dependsOn.join("\n"));
                assert.strictEqual(run.resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === logBucket.id).length, 1, "one policy on the log bucket: nothing replaces it");
                assert.ok(run.resources.every((r) => !r.options.remote), "no opaque component hides resources from the tests");
                const access = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-logs-public-access").inputs;
                assert.ok(access.blockPublicAcls && access.blockPublicPolicy && access.ignorePublicAcls && access.restrictPublicBuckets);
                assert.ok(run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "audit-logs-encryption"));
                const statements = policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy")).Statement;
                const write = statements.find((s: any) => s.Sid === "CloudTrailWrite");
                assert.strictEqual(write.Condition.StringEquals["aws:SourceArn"], run.outputs.auditTrailArn);
                assert.strictEqual(write.Resource, `arn:aws:s3:::${logBucket.id}/AWSLogs/111122223333/*`);
            });
        } else {
            it("has no audit trail (switched off in this stage)", () => {
                assert.strictEqual(run.ofType(T.trail).length, 0);
                assert.strictEqual(run.outputs.auditTrailArn, undefined);
            });
        }
    });
}

describe("HttpApi component", () => {
    let fn: HandlerFunction;
    before(async () => {
        await runProgram("deve"); // installs the mocks
        fn = new HandlerFunction("t-fn", { callbackFactory: () => async () => ({}), description: "test" });
    });

    it("refuses a route without AWS_IAM authorization", () => {
        const api = new HttpApi("t-api1");
        assert.throws(
            () => api.addRoute({ routeKey: "GET /open", handler: fn, authorization: "NONE" as never }),
            /route 'GET \/open' must use AWS_IAM authorization, got 'NONE'/,
        );
        assert.deepStrictEqual(api.routeKeys(), []);
    });

    it("refuses malformed and duplicate route keys", () => {
        const api = new HttpApi("t-api2");
        assert.throws(() => api.addRoute({ routeKey: "/no-method", handler: fn }), /routeKey must look like 'GET \/path', got '\/no-method'/);
        api.addRoute({ routeKey: "GET /a", handler: fn });
        assert.throws(() => api.addRoute({ routeKey: "GET /a", handler: fn }), /route 'GET \/a' is already defined/);
    });

    it("builds route ARNs with path parameters as *, and refuses grants on unknown routes", async () => {
        const api = new HttpApi("t-api3");
        api.addRoute({ routeKey: "GET /users/{id}/files", handler: fn });
        const arn = await promiseOf(api.routeArn("GET /users/{id}/files"));
        const executionArn = await promiseOf(api.executionArn);
        assert.strictEqual(arn, `${executionArn}/*/GET/users/*/files`);
        const role = new StageAccessRole("t-role", { stage: "deve", tier: "development", callerAccountId: "210987654321", callerRoles: { development: "D", production: "P" } }).role;
        assert.throws(() => api.routeArn("GET /missing"), /no route 'GET \/missing' \(routes: GET \/users\/\{id\}\/files\)/);
        // A grant names routes addRoute returned; a key, from an untyped caller, is refused.
        assert.throws(() => api.grantInvoke("t", role, ["GET /users/{id}/files"] as never), /grantInvoke 't' takes the routes addRoute returned, got 'GET \/users\/\{id\}\/files'/);
        assert.throws(() => api.grantInvoke("t", role, []), /needs at least one route/);
    });

    it("grants invoke on the routes addRoute returned, and refuses a route of another API", async () => {
        const api = new HttpApi("t-api6");
        const route = api.addRoute({ routeKey: "GET /b", handler: fn });
        assert.deepStrictEqual({ key: route.routeKey, api: route.api === api }, { key: "GET /b", api: true });
        const role = new StageAccessRole("t-role6", { stage: "deve", tier: "development", callerAccountId: "210987654321", callerRoles: { development: "D", production: "P" } }).role;
        const policy = JSON.parse(await promiseOf(api.grantInvoke("t6", role, [route]).policy));
        assert.deepStrictEqual([policy.Statement[0].Resource].flat(), [await promiseOf(api.routeArn("GET /b"))]);
        const other = new HttpApi("t-api7");
        const foreign = other.addRoute({ routeKey: "GET /b", handler: fn });
        assert.throws(() => api.grantInvoke("t7", role, [foreign]), /HttpApi 't-api6': grantInvoke 't7' was given route 'GET \/b' of another API/);
    });

    it("refuses a second grant to the same role, which would overwrite the first one's inline policy", async () => {
        const api = new HttpApi("t-api8");
        const first = api.addRoute({ routeKey: "GET /c", handler: fn });
        const second = api.addRoute({ routeKey: "GET /d", handler: fn });
        const role = new StageAccessRole("t-role8", { stage: "deve", tier: "development", callerAccountId: "210987654321", callerRoles: { development: "D", production: "P" } }).role;
        const other = new StageAccessRole("t-role9", { stage: "deve", tier: "development", callerAccountId: "210987654321", callerRoles: { development: "D", production: "P" } }).role;
        const granted = api.grantInvoke("t8", role, [first]);
        assert.strictEqual(await promiseOf(granted.name), "invoke-t-api8");
        assert.throws(
            () => api.grantInvoke("t8-more", role, [second]),
            /grantInvoke 't8-more' names a role that grant 't8' already covers; both would write its inline policy 'invoke-t-api8'/,
        );
        assert.doesNotThrow(() => api.grantInvokeAll("t8-all", role), "grantInvokeAll writes an inline policy of its own name");
        assert.throws(() => api.grantInvokeAll("t8-all-again", role), /grantInvokeAll 't8-all-again' names a role that grant 't8-all' already covers \(inline policy 'invoke-t-api8-all'\)/);
        // Another role may be granted; one call may name several routes.
        const both = JSON.parse(await promiseOf(api.grantInvoke("t9", other, [first, second]).policy));
        assert.deepStrictEqual([both.Statement[0].Resource].flat(), [await promiseOf(api.routeArn("GET /c")), await promiseOf(api.routeArn("GET /d"))]);
    });

    it("refuses bad throttling and retention", () => {
        assert.throws(() => new HttpApi("t-api4", { throttleRateLimit: 0 }), /must be positive, got '0'/);
        assert.throws(() => new HttpApi("t-api5", { logRetentionDays: 2 }), /logRetentionDays must be one of .*got '2'/);
    });
});

describe("StageAccessRole", () => {
    before(async () => {
        await runProgram("deve");
    });

    it("maps the development tier to the development caller role, production to the production one", () => {
        const roles = { development: "Dev", production: "Prod" };
        assert.deepStrictEqual(TIERS.map((tier) => callerRoleFor(tier, roles)), ["Dev", "Prod"]);
    });

    it("refuses a bad account id, role name or session duration", () => {
        const base = { stage: "deve", tier: "development" as const, callerAccountId: "210987654321", callerRoles: { development: "D", production: "P" } };
        assert.throws(() => new StageAccessRole("s1", { ...base, callerAccountId: "12345" }), /callerAccountId must be a 12-digit AWS account id, got '12345'/);
        assert.throws(() => new StageAccessRole("s2", { ...base, callerRoles: { development: "a b", production: "P" } }), /callerRoles.development must be an IAM role name, got 'a b'/);
        assert.throws(() => new StageAccessRole("s3", { ...base, maxSessionDurationSeconds: 60 }), /maxSessionDurationSeconds must be an integer from 3600 to 43200, got '60'/);
    });

    it("trusts exactly the caller role's ARN, never an account root or wildcard", async () => {
        const run = await stackRun("prod");
        const trust = policyOf(run.one("aws:iam/role:Role", "stage-access-role"), "assumeRolePolicy");
        const caller = `arn:aws:iam::${run.config["federated-access:callerAccountId"]}:role/${run.config["federated-access:callerProdRoleName"]}`;
        assert.deepStrictEqual(trust.Statement.map((s: any) => s.Principal), [{ AWS: caller }]);
        assert.strictEqual(run.one("aws:iam/role:Role", "stage-access-role").inputs.maxSessionDuration, 3600);
    });
});

describe("whoami and admin handlers", () => {
    const event = (userArn?: string) => ({
        requestContext: {
            requestId: "r",
            authorizer: userArn ? { iam: { accountId: userArn.split(":")[4], userArn, callerId: "AROA:x" } } : undefined,
        },
    });

    it("/whoami returns the IAM caller API Gateway saw", async () => {
        const response = await createWhoamiHandler()(event("arn:aws:sts::210987654321:assumed-role/ApiAllowByIamRoleDeve/s"));
        assert.strictEqual(response.statusCode, 200);
        assert.deepStrictEqual(JSON.parse(response.body), {
            accountId: "210987654321",
            userArn: "arn:aws:sts::210987654321:assumed-role/ApiAllowByIamRoleDeve/s",
            callerId: "AROA:x",
            principalOrgId: null,
        });
        assert.strictEqual((await createWhoamiHandler()(event())).statusCode, 403);
    });

    it("/admin serves sessions of the admin identity role only", async () => {
        const handler = createAdminHandler({ accountId: "111122223333", adminRoleName: "p-admin-identity" });
        assert.strictEqual((await handler(event("arn:aws:sts::111122223333:assumed-role/p-admin-identity/CognitoIdentityCredentials"))).statusCode, 200);
        for (const other of [
            "arn:aws:sts::111122223333:assumed-role/p-user-identity/CognitoIdentityCredentials",
            "arn:aws:sts::999988887777:assumed-role/p-admin-identity/CognitoIdentityCredentials",
            "arn:aws:sts::111122223333:assumed-role/p-admin-identity-evil/x",
            "arn:aws:sts::111122223333:assumed-role/p-admin-identity/",
        ]) {
            const response = await handler(event(other));
            assert.strictEqual(response.statusCode, 403, other);
            assert.strictEqual(JSON.parse(response.body).error, "admin_only");
        }
        assert.strictEqual((await handler(event())).statusCode, 403);
    });
});
