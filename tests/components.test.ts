/**
 * Every component refuses bad plain arguments up front, naming the argument and the value.
 */
import * as assert from "assert";

import { HandlerFunction } from "../components/handlerFunction";
import { IdentityFederation } from "../components/identityFederation";
import { PrivateBucket } from "../components/privateBucket";
import { parseStackSettings } from "../components/stackSettings";
import { titleCase } from "../components/stage";
import { UserDirectory } from "../components/userDirectory";
import { requireEnv } from "../lambdas/env";
import { runProgram } from "./harness";

const factory = () => async () => ({});

describe("component argument validation", () => {
    before(async () => {
        await runProgram("deve"); // installs the mocks the constructors register against
    });

    it("UserDirectory: mfa and idTokenValidityMinutes", () => {
        assert.throws(() => new UserDirectory("d1", { mfa: "OFF" as never }), /UserDirectory 'd1': mfa must be OPTIONAL or ON, got 'OFF'/);
        assert.throws(() => new UserDirectory("d2", { idTokenValidityMinutes: 2 }), /idTokenValidityMinutes must be an integer from 5 to 1440, got '2'/);
        assert.throws(() => new UserDirectory("d3", { idTokenValidityMinutes: 1.5 }), /got '1.5'/);
    });

    it("PrivateBucket: noncurrentVersionExpirationDays", () => {
        assert.throws(() => new PrivateBucket("b1", { noncurrentVersionExpirationDays: 0 }), /PrivateBucket 'b1': noncurrentVersionExpirationDays must be a positive integer, got '0'/);
    });

    it("IdentityFederation: a prefix that could leave its folder", () => {
        for (const prefix of ["a/b", "..", "", "Caps"]) {
            assert.throws(
                () => new IdentityFederation(`f-${prefix}`, { providerName: "p", clientId: "c", bucketName: "b", prefix }),
                new RegExp(`prefix must be 1-63 lowercase letters, digits or '-', got '${prefix.replace(/[./]/g, "\\$&")}'`),
            );
        }
    });

    it("HandlerFunction: retention and timeout", () => {
        assert.throws(
            () => new HandlerFunction("h1", { callbackFactory: factory, description: "x", logRetentionDays: 10 }),
            /HandlerFunction 'h1': logRetentionDays must be one of .*got '10'/,
        );
        assert.throws(
            () => new HandlerFunction("h2", { callbackFactory: factory, description: "x", timeoutSeconds: 60 }),
            /HandlerFunction 'h2': timeoutSeconds must be an integer from 1 to 29, got '60'/,
        );
        assert.throws(
            () => new HandlerFunction("h3", { callbackFactory: factory, description: "x", bundledPackages: ["nope"] }),
            /'nope' is not in package.json dependencies/,
        );
    });
});

describe("stack settings", () => {
    const reader = (values: Record<string, string>) => (key: string) => values[key];
    it("defaults MFA to OPTIONAL, retention to 30 days and protection to the stage's", () => {
        const settings = parseStackSettings("stag", reader({ userFilesPrefix: "files", callerAccountId: "123456789012" }), reader({ region: "eu-west-1" }));
        assert.deepStrictEqual(settings, {
            stage: "stag",
            region: "eu-west-1",
            userFilesPrefix: "files",
            mfa: "OPTIONAL",
            logRetentionDays: 30,
            protectData: false,
            callerAccountId: "123456789012",
            callerDevRoleName: "LambdaRoleDeve",
            callerProdRoleName: "LambdaRoleProd",
            apiThrottleRateLimit: 50,
            apiThrottleBurstLimit: 100,
            auditTrail: false,
            githubRepository: undefined,
            githubOidcProvider: "create",
            githubSubjectIncludesRef: true,
            githubDeployEnvironment: undefined,
            ciStateBucket: undefined,
        });
    });
    it("refuses CI settings without a repository, and wildcard repositories", () => {
        const base = { userFilesPrefix: "f", callerAccountId: "123456789012" };
        assert.throws(
            () => parseStackSettings("deve", reader({ ...base, githubDeployEnvironment: "deve" }), reader({ region: "eu-west-1" })),
            /'federated-access:githubDeployEnvironment' is set but 'federated-access:githubRepository' is not/,
        );
        assert.throws(
            () => parseStackSettings("deve", reader({ ...base, githubRepository: "example-org/*" }), reader({ region: "eu-west-1" })),
            /'federated-access:githubRepository' must be 'owner\/name' of a GitHub repository \(no wildcard\), got 'example-org\/\*'/,
        );
    });
    it("refuses the example caller account and repository in a real deployment, saying what to set", () => {
        const example = { userFilesPrefix: "f", callerAccountId: "210987654321", githubRepository: "example-org/federated-access" };
        assert.doesNotThrow(() => parseStackSettings("deve", reader(example), reader({ region: "eu-west-1" })), "the mock engine runs the examples");
        assert.throws(
            () => parseStackSettings("deve", reader(example), reader({ region: "eu-west-1" }), { refuseExampleValues: true }),
            (error: Error) => {
                assert.match(error.message, /'federated-access:callerAccountId' is the example account 210987654321: set the account of the API's caller \(pulumi config set federated-access:callerAccountId <12-digit id>\)/);
                assert.match(error.message, /'federated-access:githubRepository' is the example repository example-org\/federated-access: set yours/);
                return true;
            },
        );
        assert.doesNotThrow(() => parseStackSettings("deve", reader({ ...example, callerAccountId: "123456789012", githubRepository: "acme/infra" }), reader({ region: "eu-west-1" }), { refuseExampleValues: true }));
    });
    it("refuses an unknown GitHub provider mode", () => {
        assert.throws(
            () => parseStackSettings("deve", reader({ userFilesPrefix: "f", callerAccountId: "123456789012", githubRepository: "a/b", githubOidcProvider: "lookup" }), reader({ region: "eu-west-1" })),
            /'federated-access:githubOidcProvider' must be create or existing, got 'lookup'/,
        );
    });
    it("refuses a region that is not one", () => {
        assert.throws(
            () => parseStackSettings("deve", reader({ userFilesPrefix: "f", callerAccountId: "123456789012" }), reader({ region: "tokyo" })),
            /'aws:region' must be an AWS region .*got 'tokyo'/,
        );
    });
    it("title-cases stages for physical names", () => {
        assert.strictEqual(titleCase("prod"), "Prod");
    });
});

describe("handler environment", () => {
    it("names every missing variable at once", () => {
        assert.throws(() => requireEnv(["A", "B", "C"], { B: "x" }), /Missing environment variable\(s\): A, C/);
        assert.deepStrictEqual(requireEnv(["B"], { B: "x" }), { B: "x" });
    });
});
