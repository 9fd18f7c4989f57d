/**
 * Every component refuses bad plain arguments up front, naming the argument and the value; and
 * every component's arguments are documented.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import * as ts from "typescript";

import { HandlerFunction } from "../components/api/handlerFunction";
import { IdentityFederation } from "../components/identity/identityFederation";
import { PrivateBucket } from "../components/storage/privateBucket";
import { checkGroupNames, USER_GROUPS, UserDirectory } from "../components/identity/userDirectory";
import { promiseOf, ROOT, runProgram } from "./harness";

const factory = () => async () => ({});

describe("component argument validation", () => {
    before(async () => {
        await runProgram("deve"); // installs the mocks the constructors register against
    });

    it("UserDirectory: mfa and idTokenValidityMinutes", () => {
        assert.throws(() => new UserDirectory("d1", { mfa: "OFF" as never }), /UserDirectory 'd1': mfa must be OPTIONAL or ON, got 'OFF'/);
        assert.throws(() => new UserDirectory("d2", { idTokenValidityMinutes: 2 }), /idTokenValidityMinutes must be an integer from 5 to 1440, got '2'/);
        assert.throws(() => new UserDirectory("d3", { idTokenValidityMinutes: 1.5 }), /got '1.5'/);
        assert.throws(() => new UserDirectory("d4", { accessTokenValidityMinutes: 1441 }), /accessTokenValidityMinutes must be an integer from 5 to 1440, got '1441'/);
    });

    it("UserDirectory: a day-long IdToken leaves access tokens at their own 60 minutes", async () => {
        const run = await runProgram("deve", { overrides: { "federated-access:idTokenValidityMinutes": "1440" } });
        const client = run.one("aws:cognito/userPoolClient:UserPoolClient").inputs;
        assert.strictEqual(client.idTokenValidity, 1440);
        assert.strictEqual(client.accessTokenValidity, 60);
        assert.deepStrictEqual(client.tokenValidityUnits, { idToken: "minutes", accessToken: "minutes", refreshToken: "days" });
        const shipped = (await runProgram("deve")).one("aws:cognito/userPoolClient:UserPoolClient").inputs;
        assert.strictEqual(shipped.idTokenValidity, 60);
    });

    it("UserDirectory: takes its groups as an argument, in precedence order, and refuses none or overlapping names", async () => {
        assert.throws(() => new UserDirectory("d5", { groups: [] }), /UserDirectory 'd5': groups must name at least one group/);
        assert.throws(() => new UserDirectory("d6", { groups: ["editor", "editors"] }), /UserDirectory 'd6': group 'editors' contains the name of group 'editor'/);
        const directory = new UserDirectory("d7", { groups: ["editors", "readers"] });
        assert.deepStrictEqual(Object.keys(directory.groups), ["editors", "readers"]);
        const precedences = await Promise.all(Object.values(directory.groups).map((g) => promiseOf(g.precedence)));
        assert.deepStrictEqual(precedences, [0, 1]);
        // Without the argument, the project's two groups, admin first.
        assert.deepStrictEqual(Object.keys(new UserDirectory("d8").groups), [...USER_GROUPS]);
    });

    it("PrivateBucket: noncurrentVersionExpirationDays", () => {
        assert.throws(() => new PrivateBucket("b1", { noncurrentVersionExpirationDays: 0 }), /PrivateBucket 'b1': noncurrentVersionExpirationDays must be a positive integer, got '0'/);
    });

    it("IdentityFederation: a prefix that could leave its folder", () => {
        for (const prefix of ["a/b", "..", "", "Caps"]) {
            assert.throws(
                () => new IdentityFederation(`f-${prefix}`, { groups: ["admin", "user"], providerName: "p", clientId: "c", bucketName: "b", prefix }),
                new RegExp(`prefix must be 1-63 lowercase letters, digits or '-', got '${prefix.replace(/[./]/g, "\\$&")}'`),
            );
        }
    });

    it("IdentityFederation: takes its groups as an argument, and refuses none, overlapping names or an authenticated group outside them", () => {
        const base = { providerName: "p", clientId: "c", bucketName: "b", prefix: "p" };
        assert.throws(() => new IdentityFederation("g1", { ...base, groups: [] }), /IdentityFederation 'g1': groups must name at least one group/);
        assert.throws(() => new IdentityFederation("g2", { ...base, groups: ["admin", "user", "superuser"] }), /group 'superuser' contains the name of group 'user'/);
        assert.throws(() => new IdentityFederation("g3", { ...base, groups: ["admin", "user"], authenticatedGroup: "other" as never }), /authenticatedGroup 'other' is not one of groups \(admin, user\)/);
        const federation = new IdentityFederation("g4", { ...base, groups: ["editors", "readers"] });
        assert.deepStrictEqual(Object.keys(federation.roles), ["editors", "readers"]);
    });

    it("every field of a component's arguments is documented, and every optional one documents its default (@default)", () => {
        const missing: string[] = [];
        const undocumented: string[] = [];
        const checked: string[] = [];
        const files = (fs.readdirSync(path.join(ROOT, "components"), { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
        for (const file of files) {
            const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, "components", file), "utf8"), ts.ScriptTarget.Latest, true);
            source.forEachChild((node) => {
                if (!ts.isInterfaceDeclaration(node) || !/Args$/.test(node.name.text)) return;
                checked.push(node.name.text);
                for (const member of node.members) {
                    if (!ts.isPropertySignature(member)) continue;
                    const doc = ts.getJSDocCommentsAndTags(member).map((d) => d.getText()).join("\n");
                    if (!doc) undocumented.push(`${file}: ${node.name.text}.${member.name.getText()}`);
                    if (member.questionToken && !/@default/.test(doc)) missing.push(`${file}: ${node.name.text}.${member.name.getText()}`);
                }
            });
        }
        assert.deepStrictEqual(missing, []);
        assert.deepStrictEqual(undocumented, []);
        // Every component's arguments were read, wherever in components/ its file lives.
        for (const args of ["UserDirectoryArgs", "IdentityFederationArgs", "HttpApiArgs", "HandlerFunctionArgs", "PrivateBucketArgs", "AuditTrailArgs", "GitHubCiRolesArgs", "StageBoundaryArgs"]) {
            assert.ok(checked.includes(args), `${args} was not found under components/`);
        }
    });

    it("group names: none contains another, so a Contains rule on cognito:groups matches one group only", async () => {
        assert.doesNotThrow(() => checkGroupNames("t", USER_GROUPS));
        assert.throws(() => checkGroupNames("t", ["admin", "user", "superuser"]), /t: group 'superuser' contains the name of group 'user'/);
        assert.throws(() => checkGroupNames("t", ["admins", "admin"]), /group 'admins' contains the name of group 'admin'/);
        assert.throws(() => checkGroupNames("t", ["admin", "Admin"]), /lowercase letters, digits or '-', got 'Admin'/);
        assert.throws(() => checkGroupNames("t", ["a,b", "c"]), /got 'a,b'/);
        assert.throws(() => checkGroupNames("t", ["user", "user"]), /repeat/);
        // What the program deploys: one Contains rule per group, no value inside another.
        const run = await runProgram("deve");
        const rules = run.one("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment").inputs.roleMappings[0].mappingRules;
        assert.deepStrictEqual(rules.map((r: any) => [r.claim, r.matchType, r.value]), USER_GROUPS.map((g) => ["cognito:groups", "Contains", g]));
        for (const rule of rules) {
            const alsoMatched = rules.filter((other: any) => other !== rule && String(other.value).includes(rule.value));
            assert.deepStrictEqual(alsoMatched, [], `a rule for '${rule.value}' also matches ${alsoMatched.map((o: any) => o.value)}`);
        }
        assert.deepStrictEqual(run.ofType("aws:cognito/userGroup:UserGroup").map((g) => g.inputs.name).sort(), [...USER_GROUPS].sort());
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
