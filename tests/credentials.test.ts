/**
 * The credentials module picks the provider for where the code runs; no network.
 */
import * as assert from "assert";

import { credentialsFor, CredentialSource, describeSource, detectSource, ProviderFactories } from "../client/credentials";

/** Provider factories that record which was called with what, and fetch nothing. */
function recordingFactories() {
    const calls: { factory: string; args: any }[] = [];
    const make =
        (factory: string) =>
        (args?: any): any => {
            calls.push({ factory, args });
            const provider = async () => ({ accessKeyId: `from-${factory}`, secretAccessKey: "x" });
            (provider as any).factory = factory;
            return provider;
        };
    const factories = {
        fromEnv: make("fromEnv"),
        fromTokenFile: make("fromTokenFile"),
        fromIni: make("fromIni"),
        fromTemporaryCredentials: make("fromTemporaryCredentials"),
        fromCognitoIdentityPool: make("fromCognitoIdentityPool"),
        fromNodeProviderChain: make("fromNodeProviderChain"),
    } as unknown as ProviderFactories;
    return { factories, calls };
}

const REGION = { region: "ap-northeast-1" };

describe("credentials module", () => {
    describe("detectSource", () => {
        it("inside Lambda: the execution role from the environment", () => {
            assert.deepStrictEqual(detectSource({ AWS_LAMBDA_FUNCTION_NAME: "fn", AWS_PROFILE: "dev" }), { kind: "lambda" });
        });
        it("in CI: the OIDC web identity token", () => {
            assert.deepStrictEqual(
                detectSource({ AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token", AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/ci", GITHUB_RUN_ID: "42" }),
                { kind: "web-identity", roleArn: "arn:aws:iam::111122223333:role/ci", tokenFile: "/tmp/token", sessionName: "ci-42" },
            );
        });
        it("on a laptop: the named profile (SSO or role)", () => {
            assert.deepStrictEqual(detectSource({ AWS_PROFILE: "dev-sso" }), { kind: "profile", profile: "dev-sso" });
        });
        it("anywhere else: the default chain", () => {
            assert.deepStrictEqual(detectSource({}), { kind: "default-chain" });
        });
    });

    describe("credentialsFor", () => {
        const cases: [CredentialSource, string, (args: any) => void][] = [
            [{ kind: "lambda" }, "fromEnv", () => undefined],
            [
                { kind: "web-identity", roleArn: "arn:aws:iam::111122223333:role/ci", tokenFile: "/tmp/t", sessionName: "ci-1" },
                "fromTokenFile",
                (a) => assert.deepStrictEqual(a, { roleArn: "arn:aws:iam::111122223333:role/ci", webIdentityTokenFile: "/tmp/t", roleSessionName: "ci-1", clientConfig: REGION }),
            ],
            [{ kind: "profile", profile: "dev" }, "fromIni", (a) => assert.deepStrictEqual(a, { profile: "dev", clientConfig: REGION })],
            [
                { kind: "identity-pool", identityPoolId: "ap-northeast-1:abc", logins: { "cognito-idp.x/y": "token" } },
                "fromCognitoIdentityPool",
                (a) => assert.deepStrictEqual(a, { identityPoolId: "ap-northeast-1:abc", logins: { "cognito-idp.x/y": "token" }, clientConfig: REGION }),
            ],
            [{ kind: "default-chain" }, "fromNodeProviderChain", (a) => assert.deepStrictEqual(a, { clientConfig: REGION })],
        ];
        for (const [source, expected, check] of cases) {
            it(`${source.kind} → ${expected}`, () => {
                const { factories, calls } = recordingFactories();
                const provider = credentialsFor(source, REGION, factories) as any;
                assert.strictEqual(provider.factory, expected);
                assert.strictEqual(calls.length, 1);
                check(calls[0].args);
            });
        }

        it("assume-role → temporary credentials assumed with the base source's credentials and the external id", async () => {
            const { factories, calls } = recordingFactories();
            const provider = credentialsFor(
                {
                    kind: "assume-role",
                    roleArn: "arn:aws:iam::111122223333:role/ApiAllowByIamRoleStag",
                    sessionName: "caller",
                    externalId: "ext-1",
                    base: { kind: "profile", profile: "caller-dev" },
                },
                REGION,
                factories,
            ) as any;
            assert.strictEqual(provider.factory, "fromTemporaryCredentials");
            assert.deepStrictEqual(calls.map((c) => c.factory), ["fromIni", "fromTemporaryCredentials"]);
            const args = calls[1].args;
            assert.deepStrictEqual(args.params, {
                RoleArn: "arn:aws:iam::111122223333:role/ApiAllowByIamRoleStag",
                RoleSessionName: "caller",
                DurationSeconds: 900,
                ExternalId: "ext-1",
            });
            assert.strictEqual((await args.masterCredentials()).accessKeyId, "from-fromIni");
        });

        it("refuses malformed role ARNs, session names and empty logins before any call", () => {
            const { factories, calls } = recordingFactories();
            assert.throws(
                () => credentialsFor({ kind: "assume-role", roleArn: "arn:aws:iam::1:role/x", sessionName: "s1", base: { kind: "lambda" } }, REGION, factories),
                /roleArn must be an IAM role ARN, got 'arn:aws:iam::1:role\/x'/,
            );
            assert.throws(
                () => credentialsFor({ kind: "web-identity", roleArn: "arn:aws:iam::111122223333:role/ci", tokenFile: "/t", sessionName: "bad name" }, REGION, factories),
                /sessionName must be/,
            );
            assert.throws(() => credentialsFor({ kind: "identity-pool", identityPoolId: "p", logins: {} }, REGION, factories), /logins must hold/);
            assert.strictEqual(calls.length, 0);
        });
    });

    it("describes sources without secrets", () => {
        const text = describeSource({
            kind: "assume-role",
            roleArn: "arn:aws:iam::111122223333:role/R",
            sessionName: "s",
            externalId: "very-secret",
            base: { kind: "identity-pool", identityPoolId: "p", logins: { provider: "eyJtoken" } },
        });
        assert.ok(!text.includes("very-secret") && !text.includes("eyJtoken"), text);
        assert.match(text, /identity pool p for provider -> assume arn:aws:iam::111122223333:role\/R \(with external id\)/);
    });
});
