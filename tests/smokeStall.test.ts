/**
 * A request no one answers must not outlive its step: the real AWS clients of a smoke run,
 * against a loopback endpoint that takes requests and never answers.
 */
import * as assert from "assert";

import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";

import { createAwsClients } from "../smoke/clients";
import { runSmoke, StackOutputs } from "../smoke/smoke";
import { StallingServer, startStallingServer } from "./support/sigv4Server";

const CREDENTIALS = { accessKeyId: "AKIAOPERATOR", secretAccessKey: "secret" };

describe("smoke run against endpoints that never answer", () => {
    let server: StallingServer;
    beforeEach(async () => {
        server = await startStallingServer();
    });
    afterEach(() => server.close());

    const outputs = (): StackOutputs => ({
        stage: "deve",
        region: "ap-northeast-1",
        userPoolId: "ap-northeast-1_Pool",
        userPoolClientId: "client",
        userPoolProviderName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Pool",
        identityPoolId: "ap-northeast-1:pool",
        userFilesBucket: "federated-access-deve-user-files",
        userFilesPrefix: "cognito-test",
        apiEndpoint: server.url,
        stageAccessRoleArn: "arn:aws:iam::111122223333:role/ApiAllowByIamRoleDeve",
        oidcRoleArn: "arn:aws:iam::111122223333:role/federated-access-deve-oidc",
        smokeUsersFunctionName: "federated-access-deve-smoke-users",
    });

    it("closes each request's connection when its step gives up, and returns its report", async () => {
        // Its HTTP handler's own limit is twice this: a connection that lives that long was not aborted.
        const attemptTimeoutMs = 300;
        const clients = createAwsClients({
            region: "ap-northeast-1",
            apiEndpoint: server.url,
            smokeUsersFunction: "federated-access-deve-smoke-users",
            operator: CREDENTIALS,
            attemptTimeoutMs,
            endpoint: server.url,
        });
        const started = Date.now();
        const report = await runSmoke(
            { outputs: outputs(), timing: { attemptTimeoutMs, settleBudgetMs: 500, backoffBaseMs: 10, backoffMaxMs: 20 }, cleanupTimeoutMs: 1000 },
            clients,
        );
        const ms = Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.strictEqual(report.checks[0].status, "fail");
        assert.match(report.checks[0].detail, /timed out after 300 ms/);
        assert.ok(ms < 4000, `the run took ${ms} ms`);
        const carrying = server.connections.filter((c) => c.requested);
        assert.ok(carrying.length >= 2, `${carrying.length} request(s)`);
        for (const c of carrying) {
            assert.ok(c.closed !== undefined, "a connection is still open after the run");
            assert.ok(c.closed - c.opened < attemptTimeoutMs + 150, `a connection lived ${c.closed - c.opened} ms, its step ${attemptTimeoutMs} ms`);
        }
        clients.destroy();
    });

    it("the HTTP handler gives a request up on its own, even without an abort signal", async () => {
        const clients = createAwsClients({
            region: "ap-northeast-1",
            apiEndpoint: server.url,
            smokeUsersFunction: "federated-access-deve-smoke-users",
            operator: CREDENTIALS,
            attemptTimeoutMs: 100,
            endpoint: server.url,
        });
        const started = Date.now();
        const outcome = await Promise.race([
            clients.stsFor(CREDENTIALS).send(new GetCallerIdentityCommand({})).then(
                () => "answered",
                (error: Error) => error.name,
            ),
            new Promise((resolve) => setTimeout(() => resolve("still waiting"), 5000)),
        ]);
        assert.strictEqual(outcome, "TimeoutError");
        // Its own limit is twice the step's (200 ms); the SDK tries up to three times.
        assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.ok(server.connections.filter((c) => c.requested).every((c) => c.closed !== undefined), "a request's connection is still open");
        clients.destroy();
    });
});
