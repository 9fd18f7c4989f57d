/**
 * Stack settings (components/config/stackSettings.ts): every key read, validated and defaulted
 * in one place, a mistake named with the key and the value; and the stage names it derives.
 */
import * as assert from "assert";

import * as pulumi from "@pulumi/pulumi";

import { closestKey, ParseOptions, parseStackSettings, runtimeSecretCheck } from "../components/config/stackSettings";
import { titleCase } from "../components/config/stage";

describe("stack settings", () => {
    const reader = (values: Record<string, string>) => (key: string) => values[key];
    const AWS = reader({ region: "eu-west-1" });
    const BASE = { tier: "development", userFilesPrefix: "f", callerAccountId: "123456789012" };
    /** Parses with exactly the keys given (never the engine's, which an earlier run left behind). */
    const parse = (stack: string, values: Record<string, string>, options: ParseOptions = {}, aws = AWS) =>
        parseStackSettings(stack, reader(values), aws, {
            configKeys: [...Object.keys(values).map((k) => `federated-access:${k}`), "aws:region"],
            isSecret: () => true,
            ...options,
        });
    /** The message of the refusal `run` throws. */
    const refusal = (run: () => unknown): string => {
        try {
            run();
        } catch (error) {
            return (error as Error).message;
        }
        assert.fail("the configuration was accepted");
    };

    it("takes Pulumi.yaml's defaults, the same for every stage", () => {
        for (const [stage, tier] of [["deve", "development"], ["stag", "development"], ["prod", "production"], ["qa2", "development"]]) {
            assert.deepStrictEqual(parse(stage, { tier, userFilesPrefix: "files", callerAccountId: "123456789012" }), {
                stage,
                tier,
                region: "eu-west-1",
                userFilesPrefix: "files",
                mfa: "OPTIONAL",
                idTokenValidityMinutes: 60,
                logRetentionDays: 30,
                protectData: true,
                callerAccountId: "123456789012",
                callerDevRoleName: "LambdaRoleDeve",
                callerProdRoleName: "LambdaRoleProd",
                apiThrottleRateLimit: 50,
                apiThrottleBurstLimit: 100,
                auditTrail: true,
                githubRepository: undefined,
                githubRepositoryIds: undefined,
                githubOidcProvider: "existing",
                githubSubjectIncludesRef: true,
                githubDeployEnvironment: undefined,
                ciStateBucket: undefined,
                callerExternalIdSet: false,
            });
        }
    });
    it("reads the values the CLI hands over, defaults included, and an empty optional text as not set", () => {
        const cliView = { ...BASE, protectData: "false", auditTrail: "false", logRetentionDays: "14", apiThrottleRateLimit: "20", githubRepository: "", githubDeployEnvironment: "", ciStateBucket: "", githubOidcProvider: "existing" };
        const settings = parse("deve", cliView);
        assert.deepStrictEqual(
            [settings.protectData, settings.auditTrail, settings.logRetentionDays, settings.apiThrottleRateLimit, settings.githubRepository, settings.githubDeployEnvironment, settings.ciStateBucket],
            [false, false, 14, 20, undefined, undefined, undefined],
        );
    });
    it("refuses CI settings without a repository, and wildcard repositories", () => {
        assert.throws(
            () => parse("deve", { ...BASE, githubDeployEnvironment: "deve" }),
            /'federated-access:githubDeployEnvironment' is set but 'federated-access:githubRepository' is not/,
        );
        assert.throws(() => parse("deve", { ...BASE, githubOidcProvider: "create" }), /'federated-access:githubOidcProvider' is set but/);
        assert.throws(() => parse("deve", { ...BASE, githubSubjectIncludesRef: "false" }), /'federated-access:githubSubjectIncludesRef' is set but/);
        // The CLI fills in the defaults before the program runs: they are not a setting of the stack.
        assert.doesNotThrow(() => parse("deve", { ...BASE, githubOidcProvider: "existing", githubSubjectIncludesRef: "true", githubDeployEnvironment: "", ciStateBucket: "" }));
        assert.throws(
            () => parse("deve", { ...BASE, githubRepository: "example-org/*" }),
            /'federated-access:githubRepository' must be 'owner\/name' of a GitHub repository \(no wildcard\), got 'example-org\/\*'/,
        );
    });
    it("refuses the example caller account, repository and repository ids in a real deployment, saying what to set", () => {
        const example = { tier: "development", userFilesPrefix: "f", callerAccountId: "210987654321", githubRepository: "example-org/federated-access", githubRepositoryIds: "1000001/2000002" };
        assert.doesNotThrow(() => parse("deve", example), "the mock engine runs the examples");
        const message = refusal(() => parse("deve", example, { refuseExampleValues: true }));
        assert.match(message, /'federated-access:callerAccountId' is the example account 210987654321: set the account of the API's caller \(pulumi config set federated-access:callerAccountId <12-digit id>\)/);
        assert.match(message, /'federated-access:githubRepository' is the example repository example-org\/federated-access: set yours/);
        assert.match(message, /'federated-access:githubRepositoryIds' is the example 1000001\/2000002: set your repository's '<owner id>\/<repository id>'/);
        assert.doesNotThrow(() => parse("deve", { ...example, callerAccountId: "123456789012", githubRepository: "acme/infra", githubRepositoryIds: "4100001/7300002" }, { refuseExampleValues: true }));
        assert.doesNotThrow(() => parse("deve", { ...example, callerAccountId: "123456789012", githubRepository: "acme/infra", githubRepositoryIds: "" }, { refuseExampleValues: true }), "a repository on the name-only form");
    });
    it("takes repository ids as '<owner id>/<repository id>', only with a repository", () => {
        for (const bad of ["1000001", "acme/7300002", "0/1", "1/2/3", "1000001/*"]) {
            assert.throws(() => parse("deve", { ...BASE, githubRepository: "a/b", githubRepositoryIds: bad }), /'federated-access:githubRepositoryIds' must be '<owner id>\/<repository id>', GitHub's numeric ids/, bad);
        }
        assert.throws(() => parse("deve", { ...BASE, githubRepositoryIds: "1/2" }), /'federated-access:githubRepositoryIds' is set but 'federated-access:githubRepository' is not/);
    });
    it("takes an IdToken validity Cognito accepts, 5 to 1440 minutes, and refuses any other", () => {
        assert.strictEqual(parse("deve", { ...BASE, idTokenValidityMinutes: "1440" }).idTokenValidityMinutes, 1440);
        // "060" is refused too: a YAML reader may take an unquoted leading zero as octal.
        for (const bad of ["4", "1441", "60.5", "an hour", "060", " 60", "1e3"]) {
            assert.match(refusal(() => parse("deve", { ...BASE, idTokenValidityMinutes: bad })), /idTokenValidityMinutes.*an integer from 5 to 1440/);
        }
    });

    it("refuses an unknown GitHub provider mode", () => {
        assert.throws(
            () => parse("deve", { ...BASE, githubRepository: "a/b", githubOidcProvider: "lookup" }),
            /'federated-access:githubOidcProvider' must be create or existing, got 'lookup'/,
        );
    });
    it("refuses a region that is not one", () => {
        assert.throws(() => parse("deve", BASE, {}, reader({ region: "tokyo" })), /'aws:region' must be an AWS region .*got 'tokyo'/);
    });
    it("refuses a key of the project it does not know, suggesting the one meant", () => {
        const message = refusal(() => parse("deve", { ...BASE, auditTrial: "true" }));
        assert.match(message, /unknown key 'federated-access:auditTrial': did you mean 'federated-access:auditTrail'\?/);
        assert.match(
            refusal(() => parse("deve", { ...BASE, colour: "blue" })),
            /unknown key 'federated-access:colour': this project's keys are those of Pulumi.yaml \(remove it with pulumi config rm federated-access:colour\)/,
        );
        // Other namespaces belong to providers and Pulumi itself.
        assert.doesNotThrow(() => parse("deve", BASE, { configKeys: ["aws:region", "aws:profile", "pulumi:tags", "federated-access:mfa"] }));
        assert.strictEqual(closestKey("GITHUBREPOSITRY"), "githubRepository", "case is ignored, as Pulumi does");
        assert.strictEqual(closestKey("callerAcct"), undefined, "more than two edits away is no suggestion");
    });
    it("names a missing or empty stack file as such, not as its missing keys", () => {
        const none = reader({});
        const message = refusal(() => parseStackSettings("stag", none, none, { configKeys: [] }));
        assert.match(message, /no configuration for stack 'stag': Pulumi\.stag\.yaml is missing or empty\. A stack needs at least aws:region, federated-access:tier, federated-access:userFilesPrefix, federated-access:callerAccountId/);
        assert.doesNotMatch(message, /missing required key/);
        // What the CLI hands over for an empty stack file: Pulumi.yaml's defaults, nothing else.
        const defaultsOnly = reader({ mfa: "OPTIONAL", protectData: "true", githubRepository: "" });
        assert.match(refusal(() => parseStackSettings("stag", defaultsOnly, none, { configKeys: [] })), /Pulumi\.stag\.yaml is missing or empty/);
        // A stack file that sets something but not the required keys: each key is named.
        const partial = refusal(() => parseStackSettings("stag", reader({ mfa: "ON" }), none, { configKeys: [] }));
        assert.match(partial, /missing required key 'aws:region' \(for example ap-northeast-1\)/);
        assert.match(partial, /missing required key 'federated-access:callerAccountId' \(the 12-digit account id of the API's caller\)/);
        assert.doesNotMatch(partial, /missing or empty/);
    });
    it("reports every problem at once", () => {
        const message = refusal(() =>
            parse("prod", { tier: "production", userFilesPrefix: "UPPER", callerAccountId: "123", protectData: "false", mfa: "OFF", apiThrottleBurstLimit: "0", auditTrial: "false" }, {}, reader({})),
        );
        const lines = message.split("\n").slice(1);
        assert.deepStrictEqual(lines, [
            "  - missing required key 'aws:region' (for example ap-northeast-1)",
            "  - unknown key 'federated-access:auditTrial': did you mean 'federated-access:auditTrail'?",
            "  - 'federated-access:userFilesPrefix' must be 1-63 lowercase letters, digits or '-' with no '/', got 'UPPER'",
            "  - 'federated-access:mfa' must be OPTIONAL or ON, got 'OFF'",
            "  - 'federated-access:callerAccountId' must be a 12-digit AWS account id, got '123'",
            "  - 'federated-access:apiThrottleBurstLimit' must be a positive integer, got '0'",
            "  - 'federated-access:protectData' cannot be false in a production stage ('federated-access:tier' production): production data is always protected",
        ]);
    });
    it("refuses an ExternalId stored in plaintext, and never shows a secret in a refusal", () => {
        const withId = { ...BASE, callerExternalId: "correct-horse-battery" };
        assert.doesNotThrow(() => parse("stag", withId, { isSecret: (key) => key === "federated-access:callerExternalId" }));
        assert.match(
            refusal(() => parse("stag", withId, { isSecret: () => false })),
            /'federated-access:callerExternalId' is stored in plaintext: set it encrypted \(pulumi config set --secret federated-access:callerExternalId <value>\)/,
        );
        const malformed = refusal(() => parse("stag", { ...BASE, callerExternalId: "bad secret!" }));
        assert.match(malformed, /'federated-access:callerExternalId' must be 2-1224 letters, digits or \+=,\.@:\/- \(the value is a secret and not shown\)/);
        assert.doesNotMatch(malformed, /bad secret/);
    });
    it("tells secrets apart through the SDK, as the engine marked them", () => {
        const check = runtimeSecretCheck();
        assert.ok(check, "the installed @pulumi/pulumi exports runtime.isConfigSecret");
        const saved = pulumi.runtime.allConfig();
        try {
            pulumi.runtime.setAllConfig({ "federated-access:callerExternalId": "x1", "federated-access:mfa": "ON" }, ["federated-access:callerExternalId"]);
            assert.deepStrictEqual([check("federated-access:callerExternalId"), check("federated-access:mfa")], [true, false]);
        } finally {
            pulumi.runtime.setAllConfig(saved, []);
        }
    });
    it("title-cases stages for physical names", () => {
        assert.strictEqual(titleCase("prod"), "Prod");
    });
});
