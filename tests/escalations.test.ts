/**
 * The public escalation catalogue, held against the people model: each of the 31 paths of Bishop
 * Fox's iam-vulnerable (analysis/escalationCatalogue.ts), granted to the pull-request author's
 * preview role in a scratch copy of the synthesized world, is reported as the account's
 * administration with a step of that path in the chain; and a pass the service would refuse
 * (a role whose trust does not name it, a pass conditioned on another service) is not reported.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { formatViolation } from "../analysis/access";
import { IAM_VULNERABLE_COMMIT, IAM_VULNERABLE_PATHS } from "../analysis/escalationCatalogue";
import { peopleOf } from "../analysis/people";
import { violations } from "../analysis/promises";
import { ESCALATION_METHODS, ReachModel } from "../analysis/reach";
import { buildWorld, RoleModel, World } from "../analysis/world";
import { ACCOUNT_ID, ROOT, STAGES, stackRun } from "./harness";

const PREVIEW_STAGE = "deve";
const statementOf = (actions: readonly string[], resource: string | string[] = "*", condition?: object) => ({
    Effect: "Allow",
    Action: [...actions],
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
});

/** A copy of the world whose preview role of PREVIEW_STAGE also holds these statements, and these roles exist. */
function scratchWorld(world: World, statements: object[], extraRoles: RoleModel[] = []): World {
    const preview = `${world.stacks[0].project}-${PREVIEW_STAGE}-ci-preview`;
    assert.ok(
        world.roles.some((r) => r.name === preview),
        `no role ${preview}`,
    );
    const roles = world.roles.map((r) => (r.name === preview ? { ...r, policies: [...r.policies, { Version: "2012-10-17", Statement: statements }] } : r));
    return { ...world, roles: [...roles, ...extraRoles] };
}

/** The pull-request author's broken promises in that world, one line each. */
async function reported(world: World): Promise<string[]> {
    const author = peopleOf(world).filter((p) => p.kind === "pr-author");
    assert.strictEqual(author.length, 1);
    const reach = await new ReachModel(world).reach(author[0]);
    return violations([reach], world).map(formatViolation);
}

/** The roles of the STS-AssumeRole path: each trusts the one before it, the first the preview role; the last may do anything. */
function roleChain(world: World, names: readonly string[]): RoleModel[] {
    const preview = world.roles.find((r) => r.name.endsWith(`-${PREVIEW_STAGE}-ci-preview`)) as RoleModel;
    const arnOf = (name: string) => `arn:aws:iam::${world.account}:role/${name}`;
    return names.map((name, i) => ({
        stack: PREVIEW_STAGE,
        arn: arnOf(name),
        name,
        trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: i === 0 ? preview.arn : arnOf(names[i - 1]) }, Action: "sts:AssumeRole" }] },
        policies: i === names.length - 1 ? [{ Version: "2012-10-17", Statement: [statementOf(["*"])] }] : [],
    }));
}

describe("the public escalation catalogue (iam-vulnerable), granted to the preview role", () => {
    let world: World;
    before(async () => {
        const runs = [];
        for (const stage of STAGES) runs.push(await stackRun(stage));
        world = buildWorld(runs, ACCOUNT_ID);
    });

    it("holds the 31 paths of iam-vulnerable, read at a pinned commit", () => {
        assert.strictEqual(IAM_VULNERABLE_PATHS.length, 31);
        assert.strictEqual(new Set(IAM_VULNERABLE_PATHS.map((p) => p.name)).size, 31);
        assert.match(IAM_VULNERABLE_COMMIT, /^[0-9a-f]{40}$/);
        for (const p of IAM_VULNERABLE_PATHS) assert.ok(p.source.includes(`/blob/${IAM_VULNERABLE_COMMIT}/`), p.source);
    });

    it("reports nothing for the preview role as the program grants it", async () => {
        assert.deepStrictEqual(await reported(world), []);
    });

    for (const escalation of IAM_VULNERABLE_PATHS) {
        it(`reports ${escalation.name} as the account's administration`, async () => {
            const extra = escalation.extraRoles ? roleChain(world, escalation.extraRoles) : [];
            const found = await reported(scratchWorld(world, escalation.actions.map((actions) => statementOf(actions)), extra));
            const admin = found.filter((v) => v.startsWith("pull-request author × account administrator"));
            assert.ok(
                admin.some((v) => escalation.evidence.test(v)),
                `${escalation.name} (${escalation.source}) not reported with ${escalation.evidence}:\n${found.join("\n")}`,
            );
        });
    }

    describe("the misses issue 20 names, each reported", () => {
        it("iam:UpdateAssumeRolePolicy alone on the account's administrator role", async () => {
            const found = await reported(scratchWorld(world, [statementOf(["iam:UpdateAssumeRolePolicy"], `arn:aws:iam::${ACCOUNT_ID}:role/AccountAdministrator`)]));
            assert.ok(
                found.some((v) => v.startsWith("pull-request author × account administrator") && v.includes("iam:UpdateAssumeRolePolicy on AccountAdministrator")),
                found.join("\n"),
            );
        });

        it("lambda:UpdateFunctionConfiguration alone on any function", async () => {
            const found = await reported(scratchWorld(world, [statementOf(["lambda:UpdateFunctionConfiguration"])]));
            assert.ok(
                found.some((v) => v.startsWith("pull-request author × account administrator") && v.includes("lambda:UpdateFunctionConfiguration")),
                found.join("\n"),
            );
        });

        it("lambda:UpdateFunctionConfiguration alone on the program's own functions runs as their roles", async () => {
            const functions = `arn:aws:lambda:${world.stacks[0].region}:${ACCOUNT_ID}:function:${world.stacks[0].project}-*`;
            const found = await reported(scratchWorld(world, [statementOf(["lambda:UpdateFunctionConfiguration"], functions)]));
            assert.ok(
                found.some((v) => /lambda:UpdateFunctionConfiguration on federated-access-\w+-\S+ \(runs as/.test(v)),
                found.join("\n"),
            );
        });
    });

    describe("passes the service refuses are not reported", () => {
        const deployRole = () => world.roles.find((r) => r.name.endsWith(`-${PREVIEW_STAGE}-ci-deploy`)) as RoleModel;

        it("a role whose trust does not name Lambda, passed to a new function", async () => {
            // The deploy role trusts GitHub's provider only: Lambda refuses to run as it.
            const grant = [statementOf(["iam:PassRole"], deployRole().arn), statementOf(["lambda:CreateFunction", "lambda:InvokeFunction"])];
            assert.deepStrictEqual(await reported(scratchWorld(world, grant)), []);
        });

        it("a role whose trust names Lambda only, passed to EC2", async () => {
            const functionRole = world.roles.find((r) => r.name.endsWith(`-prod-smoke-users-fn`)) as RoleModel;
            const grant = [statementOf(["iam:PassRole"], functionRole.arn), statementOf(["ec2:RunInstances"])];
            assert.deepStrictEqual(await reported(scratchWorld(world, grant)), []);
        });

        it("a pass allowed to Lambda only, with the rights to launch on EC2", async () => {
            const grant = [statementOf(["iam:PassRole"], "*", { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } }), statementOf(["ec2:RunInstances"])];
            assert.deepStrictEqual(await reported(scratchWorld(world, grant)), []);
        });

        it("a pass with no right to launch anything", async () => {
            assert.deepStrictEqual(await reported(scratchWorld(world, [statementOf(["iam:PassRole"])])), []);
        });
    });

    it("the README and the security guide state how many escalation methods the model applies", () => {
        for (const file of ["README.md", "docs/security.md"]) {
            const stated = [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/\b(\d+) escalation methods\b/g)].map((m) => Number(m[1]));
            assert.ok(stated.length > 0, `${file}: '<n> escalation methods'`);
            for (const n of stated) assert.strictEqual(n, ESCALATION_METHODS.length, `${file}: '<n> escalation methods'`);
        }
    });
});
