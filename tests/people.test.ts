/**
 * People, not paths: what every person reaches by any chain of credentials, over the policies
 * the program synthesizes for all three stacks placed in one account. The promises hold; the
 * reach equals the reviewed expectation; and each promise's check is shown to fail, with the
 * chain, when the program is broken the way it once was.
 */
import * as assert from "assert";
import * as fs from "fs";

import { AccessReport, accessReport, diffExpectation, expectationOf, formatViolation } from "../analysis/access";
import { githubSubject, peopleOf } from "../analysis/people";
import { buildWorld, SynthesizedStack, tokenMinutes } from "../analysis/world";
import { STAGES } from "./harness";
import { EXPECTED_REACH_FILE } from "../tools/plan";
import { ACCOUNT_ID, ProgramRun, runProgram, stackRun } from "./harness";
import { editPolicy, editResource, violationsOf } from "./support/peopleWorld";

async function allStacks(): Promise<ProgramRun[]> {
    const runs: ProgramRun[] = [];
    for (const stage of STAGES) {
        runs.push(await stackRun(stage)); // one at a time: each run installs its own mocks
    }
    return runs;
}

const statement = (doc: any, sid: string) => doc.Statement.find((s: any) => s.Sid === sid);

describe("people and what they reach (all stacks, one account)", () => {
    let stacks: ProgramRun[];
    let report: AccessReport;
    before(async () => {
        stacks = await allStacks();
        report = await accessReport(stacks, ACCOUNT_ID);
    });

    it("keeps every promise: no one reaches another user's data, past their stage, the audit trail or the account", () => {
        assert.deepStrictEqual(report.violations.map(formatViolation), [], "broken promises, with the chains that reach them");
    });

    for (const stage of STAGES) {
        it(`of ${stage} equals the reviewed expectation`, () => {
            const expected = JSON.parse(fs.readFileSync(EXPECTED_REACH_FILE, "utf8"));
            const differences = diffExpectation(stage, expected[stage], expectationOf(report, stage));
            assert.deepStrictEqual(differences, [], `reach changed:\n  ${differences.join("\n  ")}\n(review, then: npm run plan -- --all --write-expected)`);
        });
    }

    it("shows the chain behind every allowed cell, and the people the design names", () => {
        const names = report.rows.map((r) => r.person);
        for (const name of ["deve user A", "prod admin", "stag demoted admin", "prod signed-out user", "pull-request author", "prod deploy pipeline", "caller LambdaRoleDeve", "outsider (another account)"]) {
            assert.ok(names.includes(name), name);
        }
        for (const row of report.rows) {
            for (const [column, cell] of Object.entries(row.cells)) {
                assert.strictEqual(cell === "Denied", row.chains[column] === undefined, `${row.person} × ${column}`);
            }
        }
        const a = report.rows.find((r) => r.person === "deve user A")!;
        assert.deepStrictEqual(a.chains["deve: read A's file"].slice(0, 2), ["IdToken of user A (group user)", "identity pool deve: GetCredentialsForIdentity → federated-access-deve-user-identity"]);
    });

    it("gives a demoted admin the admin route only until the old IdToken's credentials expire, and a signed-out user /whoami and, until its credentials expire, its files", () => {
        const demoted = report.rows.find((r) => r.person === "prod demoted admin")!;
        assert.match(demoted.cells["prod: /admin as an admin"], /^Allowed until the credentials of its IdToken issued before the change expire \(≤ 60 \+ 60 min\)$/);
        const signedOut = report.rows.find((r) => r.person === "prod signed-out user")!;
        assert.deepStrictEqual(
            Object.entries(signedOut.cells).filter(([, c]) => c !== "Denied"),
            [
                ["prod: invoke GET /read-file", "Allowed until the credentials obtained before the sign-out expire (≤ 60 min)"],
                ["prod: invoke GET /whoami", "Allowed"],
            ],
        );
    });

    it("lets each caller role in on the stages that trust it only", () => {
        const allowed = (person: string) => Object.entries(report.rows.find((r) => r.person === person)!.cells).filter(([, c]) => c !== "Denied").map(([k]) => k.split(":")[0]);
        assert.deepStrictEqual([...new Set(allowed("caller LambdaRoleDeve"))], ["deve", "stag"]);
        assert.deepStrictEqual([...new Set(allowed("caller LambdaRoleProd"))], ["prod"]);
        assert.deepStrictEqual(allowed("outsider (another account)"), []);
        assert.deepStrictEqual(allowed("another repository's workflow"), []);
    });

    it("tells people apart when stacks name different caller accounts or repositories", async () => {
        const stag = stacks.find((s) => s.stack === "stag")!;
        const other: SynthesizedStack = {
            ...stag,
            config: { ...stag.config, "federated-access:callerAccountId": "999988887777", "federated-access:githubRepository": "another-org/federated-access" },
        };
        const world = buildWorld(
            stacks.map((s) => (s.stack === "stag" ? other : s)),
            ACCOUNT_ID,
        );
        const people = peopleOf(world);
        const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
        assert.deepStrictEqual(duplicates(people.map((p) => p.name)), [], "person names are unique");
        assert.deepStrictEqual(duplicates(people.map((p) => p.id)), [], "person ids are unique");
        assert.ok(people.some((p) => p.name === "caller LambdaRoleDeve (999988887777)"), people.map((p) => p.name).join(", "));
        assert.ok(people.some((p) => p.name === "pull-request author (another-org/federated-access)"), people.map((p) => p.name).join(", "));
    });

    describe("each promise's check fails, with the chain, when the program breaks it", () => {
        it("an IdToken role reading the bucket lets every user read every folder", async () => {
            const broken = stacks.map((s) =>
                s.stack !== "deve"
                    ? s
                    : {
                          ...s,
                          resources: [
                              ...s.resources,
                              {
                                  type: "aws:iam/rolePolicy:RolePolicy",
                                  name: "oidc-read",
                                  id: "oidc-read",
                                  inputs: {
                                      role: "federated-access-deve-oidc-user",
                                      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${s.outputs.userFilesBucket}/*` }] }),
                                  },
                                  state: {},
                              },
                          ],
                      },
            );
            // The boundary still confines the role: reading other folders needs the boundary gone too.
            const unbounded = editResource(broken, "deve", "oidc-role", (inputs) => ({ ...inputs, permissionsBoundary: undefined }));
            const found = await violationsOf(unbounded, "deve user A");
            assert.ok(found.some((v) => v.startsWith("deve user A × deve: read B's file") && v.includes("AssumeRoleWithWebIdentity (IdToken) → federated-access-deve-oidc-user")), found.join("\n"));
            assert.deepStrictEqual(await violationsOf(broken, "deve user A"), [], "the boundary alone keeps B's folder out of reach");
        });

        it("a deploy role that may create roles without the boundary becomes account administrator", async () => {
            const broken = editPolicy(stacks, "deve", "ci-deploy-rights", "policy", (doc) => delete statement(doc, "BoundedStageRoles").Condition);
            const found = await violationsOf(broken, "deve deploy pipeline");
            assert.ok(found.some((v) => v.startsWith("deve deploy pipeline × account administrator") && v.includes("with no boundary")), found.join("\n"));
        });

        it("a deploy role that may lift the boundary becomes account administrator", async () => {
            const broken = editPolicy(stacks, "deve", "ci-deploy-rights", "policy", (doc) => {
                doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "BoundariesStay");
                doc.Statement.push({ Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "*" });
            });
            const found = await violationsOf(broken, "deve deploy pipeline");
            assert.ok(found.some((v) => v.startsWith("deve deploy pipeline × account administrator") && v.includes("CreatePolicyVersion")), found.join("\n"));
        });

        it("a deploy role not confined to its stage's pool reaches the other stages' users", async () => {
            const broken = editPolicy(stacks, "deve", "ci-deploy-rights", "policy", (doc) => {
                const pools = statement(doc, "ManageStageUserPool");
                delete pools.Condition;
                pools.Resource = pools.Resource.replace(/\/[^/]+$/, "/*");
            });
            const found = await violationsOf(broken, "deve deploy pipeline");
            assert.ok(found.some((v) => v.startsWith("deve deploy pipeline × prod: read A's file") && v.includes("UpdateUserPool")), found.join("\n"));
        });

        it("a deploy role that may tag any user-pool OIDC provider retags prod's as its own, then deletes it", async () => {
            const broken = editPolicy(stacks, "deve", "ci-deploy-rights", "policy", (doc) => {
                for (const sid of ["CreateUserPoolOidcProvider", "ManageUserPoolOidcProvider"]) {
                    statement(doc, sid).Resource = statement(doc, sid).Resource.replace(/\/[^/]+$/, "/*");
                }
            });
            const found = await violationsOf(broken, "deve deploy pipeline");
            assert.ok(found.some((v) => v.startsWith("deve deploy pipeline × prod: change resources") && v.includes("iam:TagOpenIDConnectProvider")), found.join("\n"));
        });

        it("a deploy role that may stop the trail breaks the audit promise", async () => {
            const broken = editPolicy(stacks, "prod", "ci-deploy-rights", "policy", (doc) => {
                doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "AuditTrailIsOutOfReach");
                doc.Statement.push({ Effect: "Allow", Action: "cloudtrail:StopLogging", Resource: "*" });
            });
            const found = await violationsOf(broken, "prod deploy pipeline");
            assert.ok(found.some((v) => v.startsWith("prod deploy pipeline × prod: stop the audit trail") && v.includes("cloudtrail:StopLogging")), found.join("\n"));
        });

        it("a preview role that lists the buckets shows every pull-request author the users' folders", async () => {
            const broken = editPolicy(stacks, "stag", "ci-preview-rights", "policy", (doc) => statement(doc, "ReadBucketConfiguration").Action.push("s3:ListBucket"));
            const found = await violationsOf(broken, "pull-request author");
            assert.ok(found.some((v) => v.startsWith("pull-request author × stag: list user files root") && v.includes("federated-access-stag-ci-preview")), found.join("\n"));
        });

        it("a deploy trust without the ref hands the deploy role to any branch that names the environment", async () => {
            const deve = await runProgram("deve", { overrides: { "federated-access:githubSubjectIncludesRef": "false" } });
            const broken = [deve, ...stacks.filter((s) => s.stack !== "deve")];
            const found = await violationsOf(broken, "pull-request author");
            assert.ok(found.some((v) => v.startsWith("pull-request author × deve: change resources") && v.includes("environment deve run from branch feature")), found.join("\n"));
        });

        it("an identity pool that skips the server-side token check serves a signed-out user", async () => {
            const broken = editResource(stacks, "prod", "identities-pool", (inputs) => ({
                ...inputs,
                cognitoIdentityProviders: inputs.cognitoIdentityProviders.map((p: any) => ({ ...p, serverSideTokenCheck: false })),
            }));
            const found = await violationsOf(broken, "prod signed-out user");
            assert.ok(found.some((v) => v.startsWith("prod signed-out user × prod: invoke GET /read-file")), found.join("\n"));
        });

        it("IdTokens longer-lived than the stated bound keep a demoted admin in too long", async () => {
            const broken = editResource(stacks, "stag", "users-client", (inputs) => ({ ...inputs, idTokenValidity: 120 }));
            const found = await violationsOf(broken, "stag demoted admin");
            assert.ok(found.some((v) => v.startsWith("stag demoted admin × stag: /admin as an admin") && v.includes("issued while still an admin")), found.join("\n"));
        });

        // The same day written in the client's other units: the validity is read with its unit.
        for (const [validity, unit] of [[24, "hours"], [1, "days"], [24, undefined]] as const) {
            it(`an IdToken valid ${validity} ${unit ?? "(Cognito's default unit, hours)"} keeps a demoted admin in too long`, async () => {
                const broken = editResource(stacks, "prod", "users-client", (inputs) => ({
                    ...inputs,
                    idTokenValidity: validity,
                    tokenValidityUnits: unit === undefined ? undefined : { ...inputs.tokenValidityUnits, idToken: unit },
                }));
                const found = await violationsOf(broken, "prod demoted admin");
                assert.ok(found.some((v) => v.startsWith("prod demoted admin × prod: /admin as an admin")), found.join("\n"));
            });
        }

        it("reads token validities with their units, one hour when none is set", () => {
            assert.strictEqual(tokenMinutes(undefined, undefined), 60);
            assert.strictEqual(tokenMinutes(60, "minutes"), 60);
            assert.strictEqual(tokenMinutes(2, undefined), 120);
            assert.strictEqual(tokenMinutes(1, "days"), 1440);
            assert.strictEqual(tokenMinutes(3600, "seconds"), 60);
            assert.throws(() => tokenMinutes(1, "weeks"), /unit 'weeks' is not one Cognito knows/);
        });
    });
});

describe("GitHub subjects of the people model", () => {
    it("follow the repository's template, with and without the ref claim", () => {
        assert.strictEqual(githubSubject("o/r", true, { pullRequest: 7 }), "repo:o/r:pull_request:ref:refs/pull/7/merge");
        assert.strictEqual(githubSubject("o/r", true, { environment: "prod", branch: "main" }), "repo:o/r:environment:prod:ref:refs/heads/main");
        assert.strictEqual(githubSubject("o/r", false, { environment: "prod", branch: "main" }), "repo:o/r:environment:prod");
        assert.strictEqual(githubSubject("o/r", false, { pullRequest: 7 }), "repo:o/r:pull_request");
    });
});
